package dev.llava.model.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code rope_scaling} of a text config. Supported: absent/"default" (plain RoPE, represented as
 * {@code null} in {@link TextConfig}), "linear" (positions divided by {@code factor}) and "llama3"
 * (frequency-dependent rescaling of inv_freq, Llama 3.1).
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
    int originalMaxPositionEmbeddings) {

  static RopeScaling fromJson(JsonNode node) {
    if (node == null || node.isNull()) return null;
    String type = JsonFields.stringOr(node, "rope_type", JsonFields.stringOr(node, "type", "default"));
    return switch (type) {
      case "default" -> null;
      case "linear" -> new RopeScaling(type, JsonFields.doubleOr(node, "factor", 1.0), 0, 0, 0);
      case "llama3" -> new RopeScaling(type, JsonFields.doubleOr(node, "factor", 8.0),
          JsonFields.doubleOr(node, "low_freq_factor", 1.0), JsonFields.doubleOr(node, "high_freq_factor", 4.0),
          JsonFields.intOr(node, "original_max_position_embeddings", 8192));
      default -> throw new IllegalArgumentException("text_config.rope_scaling type '" + type
          + "' is not supported (supported: default, linear, llama3)");
    };
  }
}
