package dev.llava.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads optional fields of a Hugging Face config.json object. HF configs distinguish a field that
 * is absent (use the class default) from one that is explicitly {@code null} (e.g. Mistral's
 * {@code "sliding_window": null} turns the window off), so both cases are visible here.
 */
final class JsonFields {
  private JsonFields() {}

  static boolean present(JsonNode node, String field) {
    return node != null && node.has(field);
  }

  static boolean presentNonNull(JsonNode node, String field) {
    return present(node, field) && !node.get(field).isNull();
  }

  static int intOr(JsonNode node, String field, int fallback) {
    if (!presentNonNull(node, field)) return fallback;
    JsonNode v = node.get(field);
    if (!v.canConvertToInt() || (v.isFloatingPointNumber() && v.asDouble() != Math.rint(v.asDouble()))) {
      throw new IllegalArgumentException("config field '" + field + "': expected an integer, got " + v);
    }
    return v.asInt();
  }

  static Integer intOrNull(JsonNode node, String field, Integer fallbackWhenAbsent) {
    if (!present(node, field)) return fallbackWhenAbsent;
    if (node.get(field).isNull()) return null;
    return intOr(node, field, 0);
  }

  static double doubleOr(JsonNode node, String field, double fallback) {
    if (!presentNonNull(node, field)) return fallback;
    JsonNode v = node.get(field);
    if (!v.isNumber()) throw new IllegalArgumentException("config field '" + field + "': expected a number, got " + v);
    return v.asDouble();
  }

  static boolean boolOr(JsonNode node, String field, boolean fallback) {
    if (!presentNonNull(node, field)) return fallback;
    JsonNode v = node.get(field);
    if (!v.isBoolean()) throw new IllegalArgumentException("config field '" + field + "': expected true/false, got " + v);
    return v.asBoolean();
  }

  static String stringOr(JsonNode node, String field, String fallback) {
    if (!presentNonNull(node, field)) return fallback;
    return node.get(field).asText();
  }

  /** An int or a list of ints (HF allows both, e.g. {@code eos_token_id}). */
  static List<Integer> intList(JsonNode node, String field, List<Integer> fallback) {
    if (!presentNonNull(node, field)) return fallback;
    JsonNode v = node.get(field);
    List<Integer> out = new ArrayList<>();
    if (v.isArray()) {
      for (JsonNode e : v) out.add(e.asInt());
    } else if (v.canConvertToInt()) {
      out.add(v.asInt());
    } else {
      throw new IllegalArgumentException("config field '" + field + "': expected an integer or a list of integers, got " + v);
    }
    return List.copyOf(out);
  }
}
