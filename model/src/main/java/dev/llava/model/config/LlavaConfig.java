package dev.llava.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A LLaVA checkpoint's {@code config.json} (HF {@code LlavaConfig} / {@code LlavaNextConfig}) with
 * every default resolved, so the rest of the code never looks at JSON.
 *
 * @param imageTokenIndex id of the {@code <image>} placeholder token (HF {@code image_token_index},
 *     newer configs {@code image_token_id})
 * @param visionFeatureLayer index into CLIP's {@code hidden_states} (negative counts from the end)
 * @param imageGridPinpoints AnyRes candidate resolutions as [height, width]; empty for llava
 * @param tieWordEmbeddings whether lm_head reuses embed_tokens when the checkpoint has no lm_head
 */
public record LlavaConfig(
    ModelType modelType,
    int imageTokenIndex,
    ProjectorType projectorType,
    HiddenAct projectorHiddenAct,
    boolean multimodalProjectorBias,
    int visionFeatureLayer,
    FeatureSelectStrategy visionFeatureSelectStrategy,
    List<List<Integer>> imageGridPinpoints,
    boolean tieWordEmbeddings,
    TextConfig textConfig,
    VisionConfig visionConfig) {

  /** The two architectures: LLaVA-1.5 and LLaVA-NeXT (AnyRes + image_newline). */
  public enum ModelType {
    LLAVA("llava"),
    LLAVA_NEXT("llava_next");

    private final String hfName;

    ModelType(String hfName) {
      this.hfName = hfName;
    }

    public String hfName() {
      return hfName;
    }

    public static ModelType fromHf(String name) {
      for (ModelType t : values()) {
        if (t.hfName.equals(name)) return t;
      }
      throw new IllegalArgumentException("config.json model_type '" + name
          + "' is not supported (supported: llava, llava_next)");
    }
  }

  /** llava-v1.6's pinpoints, HF LlavaNextConfig's default. */
  public static final List<List<Integer>> DEFAULT_PINPOINTS = List.of(
      List.of(336, 672), List.of(672, 336), List.of(672, 672), List.of(1008, 336), List.of(336, 1008));

  public LlavaConfig {
    imageGridPinpoints = imageGridPinpoints.stream().map(List::copyOf).toList();
    int layers = visionConfig.numHiddenLayers();
    if (visionFeatureLayer < -(layers + 1) || visionFeatureLayer > layers) {
      throw new IllegalArgumentException("vision_feature_layer " + visionFeatureLayer + " is outside CLIP's "
          + (layers + 1) + " hidden states (valid: " + -(layers + 1) + ".." + layers + ")");
    }
    if (modelType == ModelType.LLAVA_NEXT && visionFeatureSelectStrategy == FeatureSelectStrategy.FULL) {
      throw new IllegalArgumentException("llava_next needs vision_feature_select_strategy 'default': AnyRes packing "
          + "arranges exactly " + visionConfig.numPatches() + " patch tokens per tile, 'full' adds the CLS token");
    }
  }

  public static LlavaConfig load(Path checkpointDir) throws IOException {
    Path file = Files.isDirectory(checkpointDir) ? checkpointDir.resolve("config.json") : checkpointDir;
    if (!Files.isRegularFile(file)) throw new IOException("no config.json at " + file);
    try {
      return fromJson(new ObjectMapper().readTree(file.toFile()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  public static LlavaConfig parse(String json) throws IOException {
    return fromJson(new ObjectMapper().readTree(json));
  }

  public static LlavaConfig fromJson(JsonNode root) {
    if (!JsonFields.presentNonNull(root, "model_type")) {
      throw new IllegalArgumentException("config.json has no model_type (supported: llava, llava_next)");
    }
    ModelType type = ModelType.fromHf(root.get("model_type").asText());
    Integer legacyVocab = JsonFields.intOrNull(root, "vocab_size", null);
    JsonNode textNode = root.get("text_config");
    TextConfig text = TextConfig.fromJson(textNode == null || textNode.isNull() ? null : textNode, legacyVocab);
    VisionConfig vision = VisionConfig.fromJson(root.get("vision_config"));

    JsonNode layer = root.get("vision_feature_layer");
    if (layer != null && layer.isArray()) {
      throw new IllegalArgumentException("vision_feature_layer " + layer
          + ": a list of layers is not supported, expected a single integer");
    }
    String projector = JsonFields.stringOr(root, "projector_type", JsonFields.stringOr(root, "mm_projector_type", "mlp2x_gelu"));
    int imageToken = JsonFields.intOr(root, "image_token_index", JsonFields.intOr(root, "image_token_id", 32000));
    boolean tie = JsonFields.presentNonNull(root, "tie_word_embeddings")
        ? JsonFields.boolOr(root, "tie_word_embeddings", false)
        : text.tieWordEmbeddings();
    return new LlavaConfig(
        type,
        imageToken,
        ProjectorType.fromHf(projector),
        HiddenAct.fromHf(JsonFields.stringOr(root, "projector_hidden_act", "gelu"), "projector_hidden_act"),
        JsonFields.boolOr(root, "multimodal_projector_bias", true),
        JsonFields.intOr(root, "vision_feature_layer", -2),
        FeatureSelectStrategy.fromHf(JsonFields.stringOr(root, "vision_feature_select_strategy", "default")),
        type == ModelType.LLAVA_NEXT ? pinpoints(root.get("image_grid_pinpoints")) : List.of(),
        tie,
        text,
        vision);
  }

  private static List<List<Integer>> pinpoints(JsonNode node) {
    if (node == null || node.isNull()) return DEFAULT_PINPOINTS;
    List<List<Integer>> out = new ArrayList<>();
    for (JsonNode p : node) {
      if (!p.isArray() || p.size() != 2) {
        throw new IllegalArgumentException("image_grid_pinpoints: expected [height, width] pairs, got " + p);
      }
      out.add(List.of(p.get(0).asInt(), p.get(1).asInt()));
    }
    return out;
  }

  public boolean isNext() {
    return modelType == ModelType.LLAVA_NEXT;
  }

  /**
   * Position in CLIP's {@code hidden_states = (embeddings, layer 1, ..., layer L)} that feeds the
   * projector; also the number of encoder layers that have to run (and be loaded).
   */
  public int visionHiddenStateIndex() {
    int states = visionConfig.numHiddenLayers() + 1;
    return visionFeatureLayer < 0 ? states + visionFeatureLayer : visionFeatureLayer;
  }

  /** Tokens the vision tower emits per tile after feature selection (576 or 577 at 336/14). */
  public int visionTokensPerTile() {
    return visionConfig.numPatches() + (visionFeatureSelectStrategy == FeatureSelectStrategy.FULL ? 1 : 0);
  }
}
