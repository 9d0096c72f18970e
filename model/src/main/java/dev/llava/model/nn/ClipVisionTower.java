package dev.llava.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.FeatureSelectStrategy;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.config.VisionConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * HF CLIPVisionModel as LLaVA uses it: conv patch embedding, CLS, position embedding,
 * pre_layrnorm, then only the encoder layers up to {@code hidden_states[vision_feature_layer]}
 * (post_layernorm is never applied), then the feature selection strategy.
 */
public final class ClipVisionTower {
  /** Tiles encoded together: bounds the [tiles, heads, 577, 577] attention scores. */
  private static final int TILES_PER_BATCH = 8;

  private final VisionConfig config;
  private final boolean keepCls;
  private final LlavaWeights.Vision w;
  private final List<ClipEncoderLayer> layers;
  private final float eps;

  public ClipVisionTower(LlavaConfig config, LlavaWeights.Vision weights) {
    this.config = config.visionConfig();
    this.keepCls = config.visionFeatureSelectStrategy() == FeatureSelectStrategy.FULL;
    this.w = weights;
    this.eps = (float) this.config.layerNormEps();
    int run = config.visionHiddenStateIndex();
    if (weights.layers().size() < run) {
      throw new IllegalArgumentException("vision feature layer needs " + run + " CLIP layers, weights have "
          + weights.layers().size());
    }
    List<ClipEncoderLayer> list = new ArrayList<>();
    for (int i = 0; i < run; i++) list.add(new ClipEncoderLayer(this.config, weights.layers().get(i)));
    this.layers = List.copyOf(list);
  }

  /** Tokens per tile in the output: patches, plus CLS with strategy "full". */
  public int tokensPerTile() {
    return config.numPatches() + (keepCls ? 1 : 0);
  }

  /** pixels: [tiles, C, S, S] (on the weights' device) -> [tiles, tokensPerTile, H] in pixels' manager. */
  public NDArray forward(NDArray pixels) {
    Shape s = pixels.getShape();
    int size = config.imageSize();
    if (s.dimension() != 4 || s.get(1) != config.numChannels() || s.get(2) != size || s.get(3) != size) {
      throw new IllegalArgumentException("pixel values must be [tiles, " + config.numChannels() + ", " + size + ", "
          + size + "], got " + s);
    }
    long tiles = s.get(0);
    if (tiles <= TILES_PER_BATCH) return encode(pixels);
    try (NDManager scope = NDManager.subManagerOf(pixels)) {
      pixels.tempAttach(scope);
      NDList parts = new NDList();
      for (long start = 0; start < tiles; start += TILES_PER_BATCH) {
        parts.add(encode(pixels.get(new NDIndex().addSliceDim(start, Math.min(tiles, start + TILES_PER_BATCH)))));
      }
      return scope.ret(NDArrays.concat(parts, 0));
    }
  }

  private NDArray encode(NDArray pixels) {
    long tiles = pixels.getShape().get(0);
    int h = config.hiddenSize();
    int p = config.patchSize();
    try (NDManager scope = NDManager.subManagerOf(pixels)) {
      pixels.tempAttach(scope);
      // Conv with stride = kernel = patch: [tiles, H, g, g] -> row-major patch tokens [tiles, g*g, H].
      NDArray patches = pixels.getNDArrayInternal()
          .convolution(pixels, w.patchEmbedding(), null, new Shape(p, p), new Shape(0, 0), new Shape(1, 1), 1)
          .singletonOrThrow()
          .reshape(tiles, h, config.numPatches())
          .transpose(0, 2, 1);
      // [tiles, 1, H] filled with class_embedding (built from an activation so it lands in this scope)
      NDArray cls = patches.get(new NDIndex().addAllDim().addSliceDim(0, 1)).zerosLike().addi(w.classEmbedding());
      NDArray x = NDArrays.concat(new NDList(cls, patches), 1).addi(w.positionEmbedding()); // [tiles, 1 + g*g, H]
      x = ClipEncoderLayer.layerNorm(x, w.preLayerNormWeight(), w.preLayerNormBias(), eps);
      for (ClipEncoderLayer layer : layers) {
        NDArray next = layer.forward(x);
        x.close();
        x = next;
      }
      NDArray selected = keepCls ? x : x.get(new NDIndex().addAllDim().addSliceDim(1, config.numPositions()));
      return scope.ret(selected);
    }
  }
}
