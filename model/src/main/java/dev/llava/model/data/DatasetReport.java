package dev.llava.model.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What reading one conversation file found.
 *
 * @param records entries seen in the file
 * @param valid entries kept (possibly repaired)
 * @param textOnly kept entries without an image
 * @param markersPrepended kept image entries that had no {@code <image>} marker and got
 *     {@code "<image>\n"} prepended to their first human turn
 * @param badByReason skipped entries per reason (every reason present, zero when none)
 * @param examples the first few problems, one line each naming the record and what was wrong
 */
public record DatasetReport(
    int records,
    int valid,
    int textOnly,
    int markersPrepended,
    Map<BadRecordReason, Integer> badByReason,
    List<String> examples) {

  public DatasetReport {
    EnumMap<BadRecordReason, Integer> complete = new EnumMap<>(BadRecordReason.class);
    for (BadRecordReason reason : BadRecordReason.values()) {
      complete.put(reason, badByReason.getOrDefault(reason, 0));
    }
    badByReason = Map.copyOf(complete);
    examples = List.copyOf(examples);
  }

  public int bad() {
    return badByReason.values().stream().mapToInt(Integer::intValue).sum();
  }

  public int bad(BadRecordReason reason) {
    return badByReason.get(reason);
  }

  /** {"records":..,"valid":..,"bad":..,"text_only":..,"markers_prepended":..,"bad_by_reason":{..},"examples":[..]} */
  public String toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("records", records);
    node.put("valid", valid);
    node.put("bad", bad());
    node.put("text_only", textOnly);
    node.put("markers_prepended", markersPrepended);
    ObjectNode reasons = node.putObject("bad_by_reason");
    for (BadRecordReason reason : BadRecordReason.values()) {
      reasons.put(reason.id(), badByReason.get(reason));
    }
    examples.forEach(node.putArray("examples")::add);
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a tree of plain values", e);
    }
  }
}
