package dev.llava.model.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * CLIP vision tower config ({@code vision_config}) with {@code CLIPVisionConfig} defaults
 * resolved (hidden_act quick_gelu, layer_norm_eps 1e-5, patch_size 32, image_size 224, ...).
 */
public record VisionConfig(
    String modelType,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numChannels,
    int imageSize,
    int patchSize,
    HiddenAct hiddenAct,
    double layerNormEps) {

  public VisionConfig {
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException("vision_config: hidden_size " + hiddenSize
          + " is not divisible by num_attention_heads " + numAttentionHeads);
    }
    if (patchSize <= 0 || imageSize % patchSize != 0) {
      throw new IllegalArgumentException("vision_config: image_size " + imageSize
          + " is not a multiple of patch_size " + patchSize);
    }
  }

  /**
   * Resolves a {@code vision_config} object; {@code null} means the key was absent, in which case
   * HF's LlavaConfig builds CLIP ViT-L/14 at 336px.
   */
  public static VisionConfig fromJson(JsonNode node) {
    if (node == null || node.isNull()) {
      return new VisionConfig("clip_vision_model", 1024, 4096, 24, 16, 3, 336, 14, HiddenAct.QUICK_GELU, 1e-5);
    }
    String type = JsonFields.stringOr(node, "model_type", "clip_vision_model");
    if (!type.equals("clip_vision_model")) {
      throw new IllegalArgumentException("vision_config.model_type '" + type
          + "' is not supported (supported: clip_vision_model)");
    }
    return new VisionConfig(
        type,
        JsonFields.intOr(node, "hidden_size", 768),
        JsonFields.intOr(node, "intermediate_size", 3072),
        JsonFields.intOr(node, "num_hidden_layers", 12),
        JsonFields.intOr(node, "num_attention_heads", 12),
        JsonFields.intOr(node, "num_channels", 3),
        JsonFields.intOr(node, "image_size", 224),
        JsonFields.intOr(node, "patch_size", 32),
        HiddenAct.fromHf(JsonFields.stringOr(node, "hidden_act", "quick_gelu"), "vision_config.hidden_act"),
        JsonFields.doubleOr(node, "layer_norm_eps", 1e-5));
  }

  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  /** Patches along one side of a tile (24 for 336/14). */
  public int patchesPerSide() {
    return imageSize / patchSize;
  }

  public int numPatches() {
    return patchesPerSide() * patchesPerSide();
  }

  /** Rows of the position embedding: every patch plus CLS. */
  public int numPositions() {
    return numPatches() + 1;
  }
}
