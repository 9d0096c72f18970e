package dev.llava.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlavaConversationDatasetTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void generatedFilesRoundTripWithoutBadRecords() throws IOException {
    GenerationSummary summary = ShapesDatasetGenerator.generate(dir, 60, 3);
    LlavaConversationDataset train = LlavaConversationDataset.load(summary.trainJson());
    assertEquals(0, train.report().bad(), train.report().toJson());
    assertEquals(60 + summary.textOnlyRecords(), train.report().records());
    assertEquals(train.report().records(), train.records().size());
    assertEquals(summary.textOnlyRecords(), train.report().textOnly());
    assertEquals(0, train.report().markersPrepended());

    // records read back equal the JSON tree written, field by field
    JsonNode written = MAPPER.readTree(summary.trainJson().toFile());
    for (int i = 0; i < written.size(); i++) {
      LlavaRecord record = train.records().get(i);
      JsonNode node = written.get(i);
      assertEquals(node.get("id").asText(), record.id());
      assertEquals(node.has("image") ? node.get("image").asText() : null, record.image());
      assertEquals(node.get("meta"), record.meta());
      for (int t = 0; t < record.conversations().size(); t++) {
        assertEquals(node.get("conversations").get(t).get("from").asText(), record.conversations().get(t).from().id());
        assertEquals(node.get("conversations").get(t).get("value").asText(), record.conversations().get(t).value());
      }
    }
    LlavaRecord first = train.records().get(0);
    assertEquals(dir.resolve("images/train_000000.png"), train.imagePath(first));

    for (Path file : List.of(summary.testJson(), summary.captionsJson())) {
      DatasetReport report = LlavaConversationDataset.load(file).report();
      assertEquals(0, report.bad(), report.toJson());
    }
    assertEquals(6, LlavaConversationDataset.load(summary.testJson()).records().size());
    assertEquals(60, LlavaConversationDataset.load(summary.captionsJson()).records().size());
  }

  @Test
  void countsEachKindOfBadRecordAndKeepsTheGoodOnes() throws IOException {
    Files.createDirectories(dir.resolve("img"));
    Files.write(dir.resolve("img/a.png"), new byte[] {1});
    Path file = dir.resolve("mixed.json");
    Files.writeString(file, """
        [
          {"id": "ok-image", "image": "img/a.png", "conversations": [
            {"from": "human", "value": "<image>\\nWhat color?"}, {"from": "gpt", "value": "red"}]},
          {"id": "ok-text", "conversations": [
            {"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]},
          {"id": "missing-file", "image": "img/nope.png", "conversations": [
            {"from": "human", "value": "<image>\\nQ"}, {"from": "gpt", "value": "A"}]},
          {"id": "marker-no-image", "conversations": [
            {"from": "human", "value": "<image>\\nQ"}, {"from": "gpt", "value": "A"}]},
          {"id": "empty", "image": "img/a.png", "conversations": []},
          {"id": "system-role", "conversations": [
            {"from": "system", "value": "be nice"}, {"from": "gpt", "value": "A"}]},
          {"id": "two-humans", "conversations": [
            {"from": "human", "value": "Q1"}, {"from": "human", "value": "Q2"}]},
          {"id": "unanswered", "conversations": [
            {"from": "human", "value": "Q1"}, {"from": "gpt", "value": "A1"}, {"from": "human", "value": "Q2"}]},
          {"id": "two-markers", "image": "img/a.png", "conversations": [
            {"from": "human", "value": "<image>\\n<image>\\nQ"}, {"from": "gpt", "value": "A"}]},
          {"id": "gpt-marker", "image": "img/a.png", "conversations": [
            {"from": "human", "value": "Q"}, {"from": "gpt", "value": "<image>"}]},
          {"id": "no-conversations", "image": "img/a.png"},
          {"id": "number-value", "conversations": [
            {"from": "human", "value": 3}, {"from": "gpt", "value": "A"}]},
          {"id": "image-list", "image": ["img/a.png"], "conversations": [
            {"from": "human", "value": "<image>\\nQ"}, {"from": "gpt", "value": "A"}]},
          "not an object",
          {"id": "stage1-no-marker", "image": "img/a.png", "conversations": [
            {"from": "human", "value": "Describe."}, {"from": "gpt", "value": "A red circle."}]}
        ]
        """);
    LlavaConversationDataset dataset = LlavaConversationDataset.load(file);
    DatasetReport report = dataset.report();

    assertEquals(15, report.records());
    assertEquals(3, report.valid());
    assertEquals(12, report.bad());
    assertEquals(Map.of(
        BadRecordReason.MALFORMED_RECORD, 4,
        BadRecordReason.EMPTY_CONVERSATION, 1,
        BadRecordReason.UNKNOWN_ROLE, 1,
        BadRecordReason.NON_ALTERNATING_TURNS, 2,
        BadRecordReason.IMAGE_MARKER_WITHOUT_IMAGE, 1,
        BadRecordReason.MULTIPLE_IMAGE_MARKERS, 1,
        BadRecordReason.IMAGE_MARKER_IN_GPT_TURN, 1,
        BadRecordReason.IMAGE_WITHOUT_MARKER, 0,
        BadRecordReason.MISSING_IMAGE_FILE, 1), report.badByReason());
    assertEquals(List.of("ok-image", "ok-text", "stage1-no-marker"),
        dataset.records().stream().map(LlavaRecord::id).toList());
    assertEquals(1, report.textOnly());

    // stage-1 style record without marker: kept, marker prepended like LLaVA, counted
    assertEquals(1, report.markersPrepended());
    assertEquals("<image>\nDescribe.", dataset.records().get(2).conversations().get(0).value());
    assertNull(dataset.records().get(1).image());

    // reasons name the record and both sides of the mismatch
    assertTrue(report.examples().contains(
        "record 5 (id 'system-role'): unknown_role: turn 0 is from 'system', expected 'human' or 'gpt'"),
        report.examples().toString());
    assertTrue(report.examples().contains(
        "record 8 (id 'two-markers'): multiple_image_markers: 2 <image> markers for 1 image, expected exactly 1"),
        report.examples().toString());
    assertTrue(report.examples().contains("record 13 (id '#13'): malformed_record: expected a JSON object, got STRING"),
        report.examples().toString());
    JsonNode json = MAPPER.readTree(report.toJson());
    assertEquals(12, json.get("bad").asInt());
    assertEquals(2, json.get("bad_by_reason").get("non_alternating_turns").asInt());
  }

  @Test
  void rejectPolicySkipsImageRecordsWithoutMarker() throws IOException {
    Files.write(dir.resolve("a.png"), new byte[] {1});
    Path file = dir.resolve("stage1.json");
    Files.writeString(file, """
        [{"id": "s", "image": "a.png", "conversations": [
          {"from": "human", "value": "Describe."}, {"from": "gpt", "value": "A red circle."}]}]
        """);
    DatasetReport report = LlavaConversationDataset.load(file, dir,
        new LlavaConversationDataset.Options(LlavaConversationDataset.MissingMarker.REJECT, true)).report();
    assertEquals(1, report.bad(BadRecordReason.IMAGE_WITHOUT_MARKER));
    assertEquals(0, report.valid());
    assertEquals(0, report.markersPrepended());
  }

  @Test
  void imageFileCheckCanBeSwitchedOffAndJsonLinesAreRead() throws IOException {
    Path file = dir.resolve("data.jsonl");
    Files.writeString(file, """
        {"id": "1", "image": "absent.png", "conversations": [{"from": "human", "value": "<image>\\nQ"}, {"from": "gpt", "value": "A"}]}
        {"id": "2", "conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]}
        """);
    List<LlavaRecord> seen = new ArrayList<>();
    DatasetReport report = LlavaConversationDataset.stream(file, dir,
        new LlavaConversationDataset.Options(LlavaConversationDataset.MissingMarker.PREPEND, false), seen::add);
    assertEquals(2, report.valid());
    assertEquals(List.of("1", "2"), seen.stream().map(LlavaRecord::id).toList());
  }

  @Test
  void aFileThatIsNotAListOfRecordsFailsWithWhatWasFound() throws IOException {
    Path file = dir.resolve("scalar.json");
    Files.writeString(file, "42");
    IOException e = assertThrows(IOException.class, () -> LlavaConversationDataset.load(file));
    assertEquals(file + ": expected a JSON array of records (or JSON lines), found VALUE_NUMBER_INT", e.getMessage());

    Path truncated = dir.resolve("truncated.json");
    Files.writeString(truncated, "[{\"id\": \"1\", \"conversations\": []},");
    IOException cut = assertThrows(IOException.class, () -> LlavaConversationDataset.load(truncated));
    assertTrue(cut.getMessage().contains("Unexpected end-of-input") || cut.getMessage().contains("ends inside"),
        cut.getMessage());
  }
}
