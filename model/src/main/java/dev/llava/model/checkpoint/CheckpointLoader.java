package dev.llava.model.checkpoint;

import static dev.llava.model.checkpoint.LlavaWeights.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.llava.model.checkpoint.LlavaWeights.KeyLayout;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.config.ProjectorType;
import dev.llava.model.config.TextConfig;
import dev.llava.model.config.VisionConfig;
import dev.llava.model.io.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Loads the tensors a LLaVA forward pass uses from a safetensors checkpoint, checking every shape
 * against config.json. Tensors the forward never reads (CLIP layers past the feature layer,
 * post_layernorm, position_ids buffers) are not loaded.
 */
public final class CheckpointLoader {
  private final SafetensorsReader reader;
  private final KeyLayout layout;
  private final NDManager manager;

  private CheckpointLoader(SafetensorsReader reader, KeyLayout layout, NDManager manager) {
    this.reader = reader;
    this.layout = layout;
    this.manager = manager;
  }

  /** Reads config.json and loads every part onto {@code parent}'s device. */
  public static LlavaWeights load(Path checkpointDir, NDManager parent) throws IOException {
    return load(checkpointDir, LlavaConfig.load(checkpointDir), parent, ModelPart.all());
  }

  /**
   * Loads {@code parts} of the checkpoint in {@code checkpointDir} (directory, index JSON or one
   * safetensors file). The returned weights own a sub-manager of {@code parent}.
   */
  public static LlavaWeights load(Path checkpointDir, LlavaConfig config, NDManager parent, Set<ModelPart> parts)
      throws IOException {
    try (SafetensorsReader reader = SafetensorsReader.open(checkpointDir)) {
      KeyLayout layout = detectLayout(reader);
      NDManager manager = parent.newSubManager();
      try {
        CheckpointLoader loader = new CheckpointLoader(reader, layout, manager);
        Vision vision = parts.contains(ModelPart.VISION) ? loader.vision(config) : null;
        Projector projector = parts.contains(ModelPart.PROJECTOR) ? loader.projector(config) : null;
        NDArray newline = parts.contains(ModelPart.PROJECTOR) && config.isNext()
            ? loader.take(layout.imageNewline(), config.textConfig().hiddenSize()) : null;
        Text text = parts.contains(ModelPart.TEXT) ? loader.text(config) : null;
        return new LlavaWeights(config, layout, parts, manager, vision, projector, newline, text);
      } catch (IOException | RuntimeException e) {
        manager.close();
        throw e;
      }
    }
  }

  /** Prefers the transformers >= 4.52 layout when its keys are present. */
  public static KeyLayout detectLayout(SafetensorsReader reader) {
    Set<String> keys = reader.keys();
    if (KeyLayout.MODEL_PREFIXED.matches(keys)) return KeyLayout.MODEL_PREFIXED;
    if (KeyLayout.CLASSIC.matches(keys)) return KeyLayout.CLASSIC;
    throw new IllegalArgumentException(reader.source() + " does not look like a LLaVA checkpoint: expected keys starting"
        + " with 'language_model.model.' (hub layout) or 'model.language_model.' (transformers >= 4.52), found "
        + keys.size() + " tensors" + (keys.isEmpty() ? "" : ", e.g. '" + keys.iterator().next() + "'"));
  }

  private Vision vision(LlavaConfig config) throws IOException {
    VisionConfig v = config.visionConfig();
    int h = v.hiddenSize();
    int p = v.patchSize();
    List<VisionLayer> layers = new ArrayList<>();
    for (int i = 0; i < config.visionHiddenStateIndex(); i++) {
      layers.add(new VisionLayer(
          take(layout.visionLayer(i, LAYER_NORM_1 + WEIGHT), h), take(layout.visionLayer(i, LAYER_NORM_1 + BIAS), h),
          fuse(h, rows(layout.visionLayer(i, ATTN_Q + WEIGHT), h), rows(layout.visionLayer(i, ATTN_K + WEIGHT), h),
              rows(layout.visionLayer(i, ATTN_V + WEIGHT), h)),
          fuse(VECTOR, rows(layout.visionLayer(i, ATTN_Q + BIAS), h), rows(layout.visionLayer(i, ATTN_K + BIAS), h),
              rows(layout.visionLayer(i, ATTN_V + BIAS), h)),
          take(layout.visionLayer(i, ATTN_OUT + WEIGHT), h, h), take(layout.visionLayer(i, ATTN_OUT + BIAS), h),
          take(layout.visionLayer(i, LAYER_NORM_2 + WEIGHT), h), take(layout.visionLayer(i, LAYER_NORM_2 + BIAS), h),
          take(layout.visionLayer(i, FC1 + WEIGHT), v.intermediateSize(), h),
          take(layout.visionLayer(i, FC1 + BIAS), v.intermediateSize()),
          take(layout.visionLayer(i, FC2 + WEIGHT), h, v.intermediateSize()), take(layout.visionLayer(i, FC2 + BIAS), h)));
    }
    return new Vision(
        take(layout.vision(PATCH_EMBEDDING), h, v.numChannels(), p, p),
        take(layout.vision(CLASS_EMBEDDING), h),
        take(layout.vision(POSITION_EMBEDDING), v.numPositions(), h),
        take(layout.vision(PRE_LAYERNORM + WEIGHT), h),
        take(layout.vision(PRE_LAYERNORM + BIAS), h),
        List.copyOf(layers));
  }

  private Projector projector(LlavaConfig config) throws IOException {
    int vision = config.visionConfig().hiddenSize();
    int text = config.textConfig().hiddenSize();
    boolean bias = config.multimodalProjectorBias();
    NDArray w1 = take(layout.projector(LINEAR_1 + WEIGHT), text, vision);
    NDArray b1 = bias ? take(layout.projector(LINEAR_1 + BIAS), text) : null;
    if (config.projectorType() == ProjectorType.LINEAR) return new Projector(w1, b1, null, null);
    NDArray w2 = take(layout.projector(LINEAR_2 + WEIGHT), text, text);
    NDArray b2 = bias ? take(layout.projector(LINEAR_2 + BIAS), text) : null;
    return new Projector(w1, b1, w2, b2);
  }

  private Text text(LlavaConfig config) throws IOException {
    TextConfig t = config.textConfig();
    int hidden = t.hiddenSize();
    int q = t.numAttentionHeads() * t.headDim();
    int kv = t.numKeyValueHeads() * t.headDim();
    int inter = t.intermediateSize();
    List<DecoderLayer> layers = new ArrayList<>();
    for (int i = 0; i < t.numHiddenLayers(); i++) {
      boolean ab = t.attentionBias();
      boolean mb = t.mlpBias();
      layers.add(new DecoderLayer(
          take(layout.textLayer(i, INPUT_LAYERNORM), hidden),
          fuse(hidden, rows(layout.textLayer(i, Q_PROJ + WEIGHT), q), rows(layout.textLayer(i, K_PROJ + WEIGHT), kv),
              rows(layout.textLayer(i, V_PROJ + WEIGHT), kv)),
          ab ? fuse(VECTOR, rows(layout.textLayer(i, Q_PROJ + BIAS), q), rows(layout.textLayer(i, K_PROJ + BIAS), kv),
              rows(layout.textLayer(i, V_PROJ + BIAS), kv)) : null,
          take(layout.textLayer(i, O_PROJ + WEIGHT), hidden, q),
          ab ? take(layout.textLayer(i, O_PROJ + BIAS), hidden) : null,
          take(layout.textLayer(i, POST_ATTENTION_LAYERNORM), hidden),
          fuse(hidden, rows(layout.textLayer(i, GATE_PROJ + WEIGHT), inter), rows(layout.textLayer(i, UP_PROJ + WEIGHT), inter)),
          mb ? fuse(VECTOR, rows(layout.textLayer(i, GATE_PROJ + BIAS), inter), rows(layout.textLayer(i, UP_PROJ + BIAS), inter))
              : null,
          take(layout.textLayer(i, DOWN_PROJ + WEIGHT), hidden, inter),
          mb ? take(layout.textLayer(i, DOWN_PROJ + BIAS), hidden) : null));
    }
    NDArray embed = take(layout.text(EMBED_TOKENS), t.vocabSize(), hidden);
    NDArray lmHead;
    if (reader.contains(layout.lmHead())) {
      lmHead = take(layout.lmHead(), t.vocabSize(), hidden);
    } else if (config.tieWordEmbeddings()) {
      lmHead = embed;
    } else {
      throw new IllegalArgumentException(reader.source() + ": missing tensor '" + layout.lmHead() + "' (expected shape "
          + Arrays.toString(new long[] {t.vocabSize(), hidden}) + ") and tie_word_embeddings is false");
    }
    return new Text(embed, List.copyOf(layers), take(layout.text(FINAL_NORM), hidden), lmHead);
  }

  /** Loads one tensor and checks its shape; the message names key, expected and found shapes. */
  NDArray take(String key, long... expectedShape) throws IOException {
    if (!reader.contains(key)) {
      throw new IllegalArgumentException(reader.source() + ": missing tensor '" + key + "' (expected shape "
          + Arrays.toString(expectedShape) + ", key layout " + layout + ")");
    }
    SafetensorsReader.TensorInfo info = reader.info(key);
    if (!Arrays.equals(info.shape(), expectedShape)) {
      throw new IllegalArgumentException(info.file() + ": tensor '" + key + "' has shape " + Arrays.toString(info.shape())
          + ", expected " + Arrays.toString(expectedShape) + " from config.json");
    }
    if (!info.dtype().isFloat()) {
      throw new IllegalArgumentException(info.file() + ": tensor '" + key + "' is " + info.dtype()
          + ", expected a float tensor (F32, F16 or BF16)");
    }
    return reader.load(key, manager);
  }

  /** Marks {@link #fuse} inputs as 1-D (biases) instead of matrices. */
  private static final int VECTOR = -1;

  /** A block of rows of a fused tensor: one checkpoint key and its expected row count. */
  private record RowBlock(String key, long rows) {}

  private static RowBlock rows(String key, long rows) {
    return new RowBlock(key, rows);
  }

  /** Concatenates row blocks (q|k|v, gate|up) into one tensor; {@code cols} is shared, or VECTOR. */
  private NDArray fuse(int cols, RowBlock... blocks) throws IOException {
    NDList parts = new NDList();
    try {
      for (RowBlock b : blocks) parts.add(cols == VECTOR ? take(b.key(), b.rows()) : take(b.key(), b.rows(), cols));
      NDArray fused = NDArrays.concat(parts, 0);
      fused.attach(manager);
      return fused;
    } finally {
      parts.close();
    }
  }
}
