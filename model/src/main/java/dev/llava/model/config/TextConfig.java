package dev.llava.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The language model half of a LLaVA config ({@code text_config}), with HF's class defaults
 * resolved: {@code LlamaConfig} for model_type "llama", {@code MistralConfig} for "mistral".
 *
 * @param slidingWindow Mistral's attention window in tokens, {@code null} when attention is full
 * @param eosTokenIds one or more end-of-sequence ids (HF allows an int or a list)
 * @param ropeScaling {@code null} for plain RoPE
 */
public record TextConfig(
    String modelType,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    HiddenAct hiddenAct,
    int maxPositionEmbeddings,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    Integer slidingWindow,
    Integer bosTokenId,
    List<Integer> eosTokenIds,
    Integer padTokenId,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    boolean mlpBias) {

  public static final List<String> SUPPORTED_MODEL_TYPES = List.of("llama", "mistral");

  public TextConfig {
    eosTokenIds = List.copyOf(eosTokenIds);
    if (numAttentionHeads <= 0 || numKeyValueHeads <= 0 || numAttentionHeads % numKeyValueHeads != 0) {
      throw new IllegalArgumentException("text_config: num_attention_heads " + numAttentionHeads
          + " must be a positive multiple of num_key_value_heads " + numKeyValueHeads);
    }
    if (headDim <= 0 || headDim % 2 != 0) {
      throw new IllegalArgumentException("text_config: head_dim must be positive and even for RoPE, got " + headDim);
    }
    if (slidingWindow != null && slidingWindow <= 0) {
      throw new IllegalArgumentException("text_config: sliding_window must be positive or null, got " + slidingWindow);
    }
  }

  /**
   * Resolves a {@code text_config} object. {@code legacyVocabSize} is the top-level
   * {@code vocab_size} older LLaVA configs carry; it is used only when text_config has none.
   */
  public static TextConfig fromJson(JsonNode node, Integer legacyVocabSize) {
    String type = JsonFields.stringOr(node, "model_type", "llama");
    boolean mistral = switch (type) {
      case "llama" -> false;
      case "mistral" -> true;
      default -> throw new IllegalArgumentException("text_config.model_type '" + type
          + "' is not supported (supported: " + String.join(", ", SUPPORTED_MODEL_TYPES) + ")");
    };
    int hidden = JsonFields.intOr(node, "hidden_size", 4096);
    int heads = JsonFields.intOr(node, "num_attention_heads", 32);
    int vocab = JsonFields.intOr(node, "vocab_size", legacyVocabSize != null ? legacyVocabSize : 32000);
    return new TextConfig(
        type,
        vocab,
        hidden,
        JsonFields.intOr(node, "intermediate_size", mistral ? 14336 : 11008),
        JsonFields.intOr(node, "num_hidden_layers", 32),
        heads,
        JsonFields.intOr(node, "num_key_value_heads", mistral ? 8 : heads),
        JsonFields.intOr(node, "head_dim", hidden / heads),
        HiddenAct.fromHf(JsonFields.stringOr(node, "hidden_act", "silu"), "text_config.hidden_act"),
        JsonFields.intOr(node, "max_position_embeddings", mistral ? 4096 * 32 : 2048),
        JsonFields.doubleOr(node, "rms_norm_eps", 1e-6),
        JsonFields.doubleOr(node, "rope_theta", 10000.0),
        RopeScaling.fromJson(node == null ? null : node.get("rope_scaling")),
        JsonFields.intOrNull(node, "sliding_window", mistral ? 4096 : null),
        JsonFields.intOrNull(node, "bos_token_id", 1),
        JsonFields.intList(node, "eos_token_id", List.of(2)),
        JsonFields.intOrNull(node, "pad_token_id", null),
        JsonFields.boolOr(node, "tie_word_embeddings", false),
        JsonFields.boolOr(node, "attention_bias", false),
        JsonFields.boolOr(node, "mlp_bias", false));
  }

  /** Query heads that share one key/value head (GQA). */
  public int kvGroups() {
    return numAttentionHeads / numKeyValueHeads;
  }

  /** Width of the fused q|k|v projection output. */
  public int qkvSize() {
    return (numAttentionHeads + 2 * numKeyValueHeads) * headDim;
  }
}
