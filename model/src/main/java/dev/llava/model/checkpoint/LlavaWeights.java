package dev.llava.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.llava.model.config.LlavaConfig;
import java.util.List;
import java.util.Set;

/**
 * The loaded tensors of a LLaVA checkpoint and, in one place, every key name they come from.
 *
 * <p>Layout of fused tensors (done at load so each matrix multiply is one big GEMM):
 * {@code qkvWeight} rows are q | k | v ({@code [(nHeads + 2 nKv) * headDim, hidden]} for the
 * decoder, {@code [3 H, H]} for CLIP), {@code gateUpWeight} rows are gate | up ({@code [2 I, hidden]}).
 * All other matrices keep HF's {@code [out, in]} orientation. Nullable fields are absent biases or
 * parts that were not requested.
 */
public final class LlavaWeights implements AutoCloseable {

  /** Where the weights of each sub-model live; HF changed the prefixes in transformers 4.52. */
  public enum KeyLayout {
    /** {@code language_model.model.*}, {@code vision_tower.vision_model.*}, ... (hub checkpoints). */
    CLASSIC("language_model.model.", "language_model.lm_head.weight", "vision_tower.vision_model.",
        "multi_modal_projector.", "image_newline"),
    /** {@code model.language_model.*}, {@code lm_head.weight}, ... (transformers >= 4.52). */
    MODEL_PREFIXED("model.language_model.", "lm_head.weight", "model.vision_tower.vision_model.",
        "model.multi_modal_projector.", "model.image_newline");

    private final String textPrefix;
    private final String lmHead;
    private final String visionPrefix;
    private final String projectorPrefix;
    private final String imageNewline;

    KeyLayout(String textPrefix, String lmHead, String visionPrefix, String projectorPrefix, String imageNewline) {
      this.textPrefix = textPrefix;
      this.lmHead = lmHead;
      this.visionPrefix = visionPrefix;
      this.projectorPrefix = projectorPrefix;
      this.imageNewline = imageNewline;
    }

    public String text(String suffix) {
      return textPrefix + suffix;
    }

    public String textLayer(int layer, String suffix) {
      return textPrefix + "layers." + layer + "." + suffix;
    }

    public String lmHead() {
      return lmHead;
    }

    public String vision(String suffix) {
      return visionPrefix + suffix;
    }

    public String visionLayer(int layer, String suffix) {
      return visionPrefix + "encoder.layers." + layer + "." + suffix;
    }

    public String projector(String suffix) {
      return projectorPrefix + suffix;
    }

    public String imageNewline() {
      return imageNewline;
    }

    /** True if any key belongs to this layout's language model, vision tower or projector. */
    public boolean matches(Set<String> keys) {
      for (String k : keys) {
        if (k.startsWith(textPrefix) || k.startsWith(visionPrefix) || k.startsWith(projectorPrefix)) return true;
      }
      return false;
    }
  }

  // Suffixes shared by both layouts. Linear layers get WEIGHT / BIAS appended.
  public static final String WEIGHT = ".weight";
  public static final String BIAS = ".bias";

  // Text model (LlamaModel / MistralModel), relative to KeyLayout.text / textLayer.
  public static final String EMBED_TOKENS = "embed_tokens.weight";
  public static final String FINAL_NORM = "norm.weight";
  public static final String INPUT_LAYERNORM = "input_layernorm.weight";
  public static final String POST_ATTENTION_LAYERNORM = "post_attention_layernorm.weight";
  public static final String Q_PROJ = "self_attn.q_proj";
  public static final String K_PROJ = "self_attn.k_proj";
  public static final String V_PROJ = "self_attn.v_proj";
  public static final String O_PROJ = "self_attn.o_proj";
  public static final String GATE_PROJ = "mlp.gate_proj";
  public static final String UP_PROJ = "mlp.up_proj";
  public static final String DOWN_PROJ = "mlp.down_proj";

  // CLIP vision model, relative to KeyLayout.vision / visionLayer. ("pre_layrnorm" is HF's spelling.)
  public static final String CLASS_EMBEDDING = "embeddings.class_embedding";
  public static final String PATCH_EMBEDDING = "embeddings.patch_embedding.weight";
  public static final String POSITION_EMBEDDING = "embeddings.position_embedding.weight";
  public static final String PRE_LAYERNORM = "pre_layrnorm";
  public static final String LAYER_NORM_1 = "layer_norm1";
  public static final String LAYER_NORM_2 = "layer_norm2";
  public static final String ATTN_Q = "self_attn.q_proj";
  public static final String ATTN_K = "self_attn.k_proj";
  public static final String ATTN_V = "self_attn.v_proj";
  public static final String ATTN_OUT = "self_attn.out_proj";
  public static final String FC1 = "mlp.fc1";
  public static final String FC2 = "mlp.fc2";
  // Never loaded: LLaVA reads hidden_states[vision_feature_layer], before post_layernorm.
  public static final String POST_LAYERNORM = "post_layernorm";

  // Projector, relative to KeyLayout.projector. A "linear" projector uses LINEAR_1 only.
  public static final String LINEAR_1 = "linear_1";
  public static final String LINEAR_2 = "linear_2";

  /** One CLIP encoder layer. */
  public record VisionLayer(
      NDArray layerNorm1Weight, NDArray layerNorm1Bias,
      NDArray qkvWeight, NDArray qkvBias, // [3H, H], [3H]
      NDArray outWeight, NDArray outBias,
      NDArray layerNorm2Weight, NDArray layerNorm2Bias,
      NDArray fc1Weight, NDArray fc1Bias, // [I, H]
      NDArray fc2Weight, NDArray fc2Bias) {} // [H, I]

  /** CLIP embeddings, pre-layernorm and the encoder layers that run (up to the feature layer). */
  public record Vision(
      NDArray patchEmbedding, // [H, C, p, p]
      NDArray classEmbedding, // [H]
      NDArray positionEmbedding, // [patches + 1, H]
      NDArray preLayerNormWeight, NDArray preLayerNormBias,
      List<VisionLayer> layers) {}

  /** linear_1 [Ht, Hv] (+ linear_2 [Ht, Ht] for mlp2x_gelu); biases null without projector bias. */
  public record Projector(NDArray linear1Weight, NDArray linear1Bias, NDArray linear2Weight, NDArray linear2Bias) {}

  /** One Llama/Mistral decoder layer; biases are null unless attention_bias / mlp_bias. */
  public record DecoderLayer(
      NDArray inputNorm, // [hidden]
      NDArray qkvWeight, NDArray qkvBias, // [(nH + 2 nKv) d, hidden]
      NDArray oWeight, NDArray oBias, // [hidden, nH d]
      NDArray postAttentionNorm, // [hidden]
      NDArray gateUpWeight, NDArray gateUpBias, // [2 I, hidden]
      NDArray downWeight, NDArray downBias) {} // [hidden, I]

  /** embed_tokens [V, hidden], layers, final norm, lm_head [V, hidden] (may be embed_tokens itself). */
  public record Text(NDArray embedTokens, List<DecoderLayer> layers, NDArray finalNorm, NDArray lmHead) {}

  private final LlavaConfig config;
  private final KeyLayout layout;
  private final Set<ModelPart> parts;
  private final NDManager manager;
  private final Vision vision;
  private final Projector projector;
  private final NDArray imageNewline;
  private final Text text;

  LlavaWeights(LlavaConfig config, KeyLayout layout, Set<ModelPart> parts, NDManager manager,
      Vision vision, Projector projector, NDArray imageNewline, Text text) {
    this.config = config;
    this.layout = layout;
    this.parts = Set.copyOf(parts);
    this.manager = manager;
    this.vision = vision;
    this.projector = projector;
    this.imageNewline = imageNewline;
    this.text = text;
  }

  public LlavaConfig config() {
    return config;
  }

  public KeyLayout layout() {
    return layout;
  }

  public Set<ModelPart> parts() {
    return parts;
  }

  /** The manager that owns every tensor here; closed by {@link #close()}. */
  public NDManager manager() {
    return manager;
  }

  public Vision vision() {
    return require(vision, ModelPart.VISION);
  }

  public Projector projector() {
    return require(projector, ModelPart.PROJECTOR);
  }

  /** [text hidden] for LLaVA-NeXT, {@code null} for LLaVA-1.5. */
  public NDArray imageNewline() {
    require(projector, ModelPart.PROJECTOR);
    return imageNewline;
  }

  public Text text() {
    return require(text, ModelPart.TEXT);
  }

  private <T> T require(T part, ModelPart which) {
    if (part == null) throw new IllegalStateException("model part " + which + " was not loaded (loaded: " + parts + ")");
    return part;
  }

  @Override
  public void close() {
    manager.close();
  }
}
