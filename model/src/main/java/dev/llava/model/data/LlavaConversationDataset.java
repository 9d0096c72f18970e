package dev.llava.model.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads LLaVA conversation files: a JSON array of
 * {@code {"id", "image"?, "conversations": [{"from", "value"}...]}} (JSON lines work too). The file is
 * streamed with Jackson, one record tree at a time, so LLaVA's 665k-record mixes never sit in memory
 * as one tree. Bad records are skipped and counted per {@link BadRecordReason} instead of failing
 * the whole file; only a file that is not JSON, or not an array/sequence of values, throws.
 *
 * <p>Image marker policy: LLaVA's stage-1 loaders tolerate an image record whose text has no
 * {@code <image>} marker and place the image before the first human turn. By default
 * ({@link MissingMarker#PREPEND}) this reader does the same: it prepends {@code "<image>\n"} to the
 * first human turn, keeps the record and counts it in {@link DatasetReport#markersPrepended()}.
 * With {@link MissingMarker#REJECT} such records are skipped as
 * {@link BadRecordReason#IMAGE_WITHOUT_MARKER}. Turn text is otherwise returned unchanged (moving a
 * marker to the front of its turn is the prompt builder's business).
 */
public final class LlavaConversationDataset {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_EXAMPLES = 20;

  /** What to do with an image record whose turns have no {@code <image>} marker. */
  public enum MissingMarker {
    PREPEND,
    REJECT
  }

  /**
   * @param missingMarker policy for image records without a marker
   * @param checkImageFiles whether to skip records whose image file does not exist (one stat per record)
   */
  public record Options(MissingMarker missingMarker, boolean checkImageFiles) {
    public static Options defaults() {
      return new Options(MissingMarker.PREPEND, true);
    }
  }

  private final Path imageFolder;
  private final List<LlavaRecord> records;
  private final DatasetReport report;

  private LlavaConversationDataset(Path imageFolder, List<LlavaRecord> records, DatasetReport report) {
    this.imageFolder = imageFolder;
    this.records = List.copyOf(records);
    this.report = report;
  }

  /** Loads a file whose image paths are relative to the file's own folder, with default options. */
  public static LlavaConversationDataset load(Path json) throws IOException {
    return load(json, json.toAbsolutePath().getParent(), Options.defaults());
  }

  /** Loads all valid records into memory. */
  public static LlavaConversationDataset load(Path json, Path imageFolder, Options options) throws IOException {
    List<LlavaRecord> records = new ArrayList<>();
    DatasetReport report = stream(json, imageFolder, options, records::add);
    return new LlavaConversationDataset(imageFolder, records, report);
  }

  /** Hands each valid record to {@code sink} in file order without keeping it; returns the report. */
  public static DatasetReport stream(Path json, Path imageFolder, Options options, Consumer<LlavaRecord> sink)
      throws IOException {
    RecordValidator validator = new RecordValidator(imageFolder, options);
    try (JsonParser parser = MAPPER.getFactory().createParser(json.toFile())) {
      JsonToken first = parser.nextToken();
      if (first == JsonToken.START_ARRAY) {
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
          if (token == null) {
            throw new IOException(json + ": file ends inside the top-level array after "
                + validator.seen + " records, expected ']'");
          }
          validator.accept(MAPPER.readTree(parser), sink);
        }
      } else if (first == JsonToken.START_OBJECT) {
        // JSON lines / concatenated objects
        for (JsonToken token = first; token != null; token = parser.nextToken()) {
          validator.accept(MAPPER.readTree(parser), sink);
        }
      } else {
        throw new IOException(json + ": expected a JSON array of records (or JSON lines), found "
            + (first == null ? "an empty file" : first.asString() == null ? first.name() : "'" + first.asString() + "'"));
      }
    }
    return validator.report();
  }

  public List<LlavaRecord> records() {
    return records;
  }

  public DatasetReport report() {
    return report;
  }

  public Path imageFolder() {
    return imageFolder;
  }

  /** The image file of a record, or {@code null} for a text-only record. */
  public Path imagePath(LlavaRecord record) {
    return record.hasImage() ? imageFolder.resolve(record.image()) : null;
  }

  /** Checks one record tree at a time and keeps the counts. */
  private static final class RecordValidator {
    private final Path imageFolder;
    private final Options options;
    private final Map<BadRecordReason, Integer> bad = new EnumMap<>(BadRecordReason.class);
    private final List<String> examples = new ArrayList<>();
    private int seen;
    private int valid;
    private int textOnly;
    private int prepended;

    RecordValidator(Path imageFolder, Options options) {
      this.imageFolder = imageFolder;
      this.options = options;
    }

    void accept(JsonNode node, Consumer<LlavaRecord> sink) {
      int index = seen++;
      String id = node.path("id").isValueNode() ? node.path("id").asText() : "#" + index;
      try {
        LlavaRecord record = validate(node, id);
        valid++;
        if (!record.hasImage()) {
          textOnly++;
        }
        sink.accept(record);
      } catch (BadRecord e) {
        bad.merge(e.reason, 1, Integer::sum);
        if (examples.size() < MAX_EXAMPLES) {
          examples.add("record " + index + " (id '" + id + "'): " + e.reason.id() + ": " + e.getMessage());
        }
      }
    }

    private LlavaRecord validate(JsonNode node, String id) throws BadRecord {
      if (!node.isObject()) {
        throw new BadRecord(BadRecordReason.MALFORMED_RECORD, "expected a JSON object, got " + node.getNodeType());
      }
      JsonNode conversations = node.get("conversations");
      if (conversations == null || !conversations.isArray()) {
        throw new BadRecord(BadRecordReason.MALFORMED_RECORD, "expected a 'conversations' array, got "
            + (conversations == null ? "none" : conversations.getNodeType()));
      }
      if (conversations.isEmpty()) {
        throw new BadRecord(BadRecordReason.EMPTY_CONVERSATION, "'conversations' has 0 turns, expected at least 2");
      }
      List<Turn> turns = new ArrayList<>(conversations.size());
      for (int t = 0; t < conversations.size(); t++) {
        turns.add(turn(conversations.get(t), t));
      }
      checkAlternation(turns);

      JsonNode imageNode = node.get("image");
      String image = null;
      if (imageNode != null && !imageNode.isNull()) {
        if (!imageNode.isTextual() || imageNode.asText().isBlank()) {
          throw new BadRecord(BadRecordReason.MALFORMED_RECORD,
              "expected 'image' to be a relative path string, got " + imageNode.getNodeType());
        }
        image = imageNode.asText();
      }
      if (image != null && options.checkImageFiles() && !Files.isRegularFile(imageFolder.resolve(image))) {
        throw new BadRecord(BadRecordReason.MISSING_IMAGE_FILE, "no file " + imageFolder.resolve(image));
      }
      // last check: a repair is only counted for a record that is kept
      turns = checkMarkers(turns, image != null);
      JsonNode meta = node.get("meta");
      return new LlavaRecord(id, image, turns, meta == null || meta.isNull() ? null : meta);
    }

    private static Turn turn(JsonNode node, int index) throws BadRecord {
      if (node == null || !node.isObject() || !node.path("from").isTextual() || !node.path("value").isTextual()) {
        throw new BadRecord(BadRecordReason.MALFORMED_RECORD,
            "turn " + index + " must be an object with string 'from' and 'value'");
      }
      String from = node.get("from").asText();
      for (Turn.Role role : Turn.Role.values()) {
        if (role.id().equals(from)) {
          return new Turn(role, node.get("value").asText());
        }
      }
      throw new BadRecord(BadRecordReason.UNKNOWN_ROLE, "turn " + index + " is from '" + from
          + "', expected 'human' or 'gpt'");
    }

    private static void checkAlternation(List<Turn> turns) throws BadRecord {
      for (int t = 0; t < turns.size(); t++) {
        Turn.Role expected = t % 2 == 0 ? Turn.Role.HUMAN : Turn.Role.GPT;
        if (turns.get(t).from() != expected) {
          throw new BadRecord(BadRecordReason.NON_ALTERNATING_TURNS, "turn " + t + " is from '"
              + turns.get(t).from().id() + "', expected '" + expected.id() + "'");
        }
      }
      if (turns.size() % 2 != 0) {
        throw new BadRecord(BadRecordReason.NON_ALTERNATING_TURNS, turns.size()
            + " turns end with an unanswered human turn, expected an even number ending with 'gpt'");
      }
    }

    private List<Turn> checkMarkers(List<Turn> turns, boolean hasImage) throws BadRecord {
      int markers = 0;
      for (int t = 0; t < turns.size(); t++) {
        int inTurn = LlavaRecord.imageMarkers(turns.get(t).value());
        if (inTurn > 0 && turns.get(t).from() == Turn.Role.GPT) {
          throw new BadRecord(BadRecordReason.IMAGE_MARKER_IN_GPT_TURN, "turn " + t + " (gpt) contains "
              + LlavaRecord.IMAGE_MARKER + ", expected markers only in human turns");
        }
        markers += inTurn;
      }
      if (!hasImage) {
        if (markers > 0) {
          throw new BadRecord(BadRecordReason.IMAGE_MARKER_WITHOUT_IMAGE, markers + " " + LlavaRecord.IMAGE_MARKER
              + " marker(s) but no 'image' field");
        }
        return turns;
      }
      if (markers > 1) {
        throw new BadRecord(BadRecordReason.MULTIPLE_IMAGE_MARKERS, markers + " " + LlavaRecord.IMAGE_MARKER
            + " markers for 1 image, expected exactly 1");
      }
      if (markers == 1) {
        return turns;
      }
      if (options.missingMarker() == MissingMarker.REJECT) {
        throw new BadRecord(BadRecordReason.IMAGE_WITHOUT_MARKER, "'image' given but 0 "
            + LlavaRecord.IMAGE_MARKER + " markers, expected 1");
      }
      prepended++;
      List<Turn> repaired = new ArrayList<>(turns);
      repaired.set(0, Turn.human(LlavaRecord.IMAGE_MARKER + "\n" + turns.get(0).value()));
      return repaired;
    }

    DatasetReport report() {
      return new DatasetReport(seen, valid, textOnly, prepended, bad, examples);
    }
  }

  /** A record-level problem: caught, counted, never thrown out of the reader. */
  private static final class BadRecord extends Exception {
    final BadRecordReason reason;

    BadRecord(BadRecordReason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }
}
