package dev.llava.model.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Turn rotation, a training-data augmentation for image records that ask several questions: a record with k
 * question/answer pairs becomes k records, the i-th starting at pair i and wrapping around, with the
 * {@code <image>} marker moved to the new first question ({@code "<image>\n" + text}, where LLaVA's
 * preprocessing puts it anyway).
 *
 * <p>Why: LLaVA's VQA evaluation asks one question right after the image, but a multi-turn record trains only
 * its first question in that position; the others are learned after earlier answers. A small model trained
 * from scratch binds what it learns to that context: the demo model answers 100% of its training records'
 * first questions and 78% of the others when they are asked first (measured on 200 training images). Rotated,
 * every answer is also learned straight after the image. The demo recipe rotates (measured in three data
 * orders each, rotated runs beat plain ones at the same cost): see {@code Recipes.DEMO_ROTATE_TURNS}.
 *
 * <p>Text-only records, single-question records and records whose turns are not human/gpt pairs with exactly
 * one image marker are returned unchanged. Rotation {@code 0} keeps the record's id, rotation {@code i} gets
 * {@code id + "@" + i}; a {@code meta.types} list with one entry per pair is rotated along.
 */
public final class TurnRotations {
  private TurnRotations() {}

  /** The record's rotations, the record itself first; just the record when it cannot or need not rotate. */
  public static List<LlavaRecord> of(LlavaRecord record) {
    List<Turn> turns = record.conversations();
    int pairs = turns.size() / 2;
    if (!record.hasImage() || pairs < 2 || !arePairs(turns) || markers(turns) != 1) {
      return List.of(record);
    }
    List<Turn> questions = new ArrayList<>(pairs);
    for (int i = 0; i < pairs; i++) {
      questions.add(Turn.human(LlavaRecord.withoutImageMarker(turns.get(2 * i).value())));
    }
    List<LlavaRecord> out = new ArrayList<>(pairs);
    out.add(record);
    for (int r = 1; r < pairs; r++) {
      List<Turn> rotated = new ArrayList<>(turns.size());
      for (int j = 0; j < pairs; j++) {
        int i = (r + j) % pairs;
        Turn question = questions.get(i);
        rotated.add(j == 0 ? Turn.human(LlavaRecord.IMAGE_MARKER + "\n" + question.value()) : question);
        rotated.add(turns.get(2 * i + 1));
      }
      out.add(new LlavaRecord(record.id() + "@" + r, record.image(), rotated, rotatedMeta(record.meta(), r, pairs)));
    }
    return out;
  }

  /** Every record's rotations, in order. */
  public static List<LlavaRecord> all(List<LlavaRecord> records) {
    List<LlavaRecord> out = new ArrayList<>(records.size() * 4);
    for (LlavaRecord r : records) {
      out.addAll(of(r));
    }
    return out;
  }

  private static boolean arePairs(List<Turn> turns) {
    if (turns.size() % 2 != 0) return false;
    for (int i = 0; i < turns.size(); i++) {
      if (turns.get(i).from() != (i % 2 == 0 ? Turn.Role.HUMAN : Turn.Role.GPT)) return false;
    }
    return true;
  }

  private static int markers(List<Turn> turns) {
    return turns.stream().mapToInt(t -> LlavaRecord.imageMarkers(t.value())).sum();
  }

  private static JsonNode rotatedMeta(JsonNode meta, int r, int pairs) {
    if (meta == null || !meta.path("types").isArray() || meta.get("types").size() != pairs) {
      return meta;
    }
    ObjectNode copy = meta.deepCopy();
    ArrayNode types = copy.putArray("types");
    for (int j = 0; j < pairs; j++) {
      types.add(meta.get("types").get((r + j) % pairs));
    }
    return copy;
  }
}
