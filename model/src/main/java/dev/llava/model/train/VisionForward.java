package dev.llava.model.train;

import static dev.llava.model.train.Activations.layerNorm;
import static dev.llava.model.train.Activations.linear;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.FeatureSelectStrategy;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.config.VisionConfig;

/**
 * The CLIP tower as LLaVA uses it (patch conv, CLS, position embedding, pre_layrnorm, encoder layers up to
 * {@code hidden_states[vision_feature_layer]}, feature selection), written for autograd: every op is out of place
 * and every result lives in the input's manager. Mirrors {@code nn.ClipVisionTower} / {@code nn.ClipEncoderLayer}.
 */
final class VisionForward {
  private final VisionConfig config;
  private final LlavaWeights.Vision w;
  private final int layers;
  private final boolean keepCls;
  private final float eps;
  private final float scale;

  VisionForward(LlavaConfig config, LlavaWeights.Vision weights) {
    this.config = config.visionConfig();
    this.w = weights;
    this.layers = config.visionHiddenStateIndex();
    if (weights.layers().size() < layers) {
      throw new IllegalArgumentException("vision feature layer needs " + layers + " CLIP layers, weights have "
          + weights.layers().size());
    }
    this.keepCls = config.visionFeatureSelectStrategy() == FeatureSelectStrategy.FULL;
    this.eps = (float) this.config.layerNormEps();
    this.scale = (float) Math.pow(this.config.headDim(), -0.5);
  }

  /** pixels [tiles, C, S, S] -> selected features [tiles, P (+1 with CLS), Hv] in pixels' manager. */
  NDArray forward(NDArray pixels) {
    Shape s = pixels.getShape();
    int size = config.imageSize();
    if (s.dimension() != 4 || s.get(1) != config.numChannels() || s.get(2) != size || s.get(3) != size) {
      throw new IllegalArgumentException("pixel values must be [tiles, " + config.numChannels() + ", " + size + ", "
          + size + "], got " + s);
    }
    long tiles = s.get(0);
    int h = config.hiddenSize();
    int p = config.patchSize();
    // conv with stride = kernel = patch: [tiles, H, g, g] -> patch tokens [tiles, g*g, H]
    NDArray patches = pixels.getNDArrayInternal()
        .convolution(pixels, w.patchEmbedding(), null, new Shape(p, p), new Shape(0, 0), new Shape(1, 1), 1)
        .singletonOrThrow()
        .reshape(tiles, h, config.numPatches())
        .transpose(0, 2, 1);
    NDArray cls = patches.get(new NDIndex().addAllDim().addSliceDim(0, 1)).zerosLike().add(w.classEmbedding());
    NDArray x = NDArrays.concat(new NDList(cls, patches), 1).add(w.positionEmbedding()); // [tiles, 1 + g*g, H]
    x = layerNorm(x, w.preLayerNormWeight(), w.preLayerNormBias(), eps);
    for (int i = 0; i < layers; i++) x = encoderLayer(x, w.layers().get(i));
    return keepCls ? x : x.get(new NDIndex().addAllDim().addSliceDim(1, config.numPositions()));
  }

  /** HF CLIPEncoderLayer: pre-LN attention (no mask) and pre-LN MLP, each with a residual. x: [T, N, H]. */
  private NDArray encoderLayer(NDArray x, LlavaWeights.VisionLayer l) {
    long t = x.getShape().get(0);
    long n = x.getShape().get(1);
    int heads = config.numAttentionHeads();
    int hd = config.headDim();
    NDArray h = layerNorm(x, l.layerNorm1Weight(), l.layerNorm1Bias(), eps);
    NDArray qkv = linear(h, l.qkvWeight(), l.qkvBias()).reshape(t, n, 3, heads, hd).transpose(2, 0, 3, 1, 4);
    NDArray q = qkv.get(0).mul(Activations.scalar(qkv, scale)); // [T, heads, N, hd]
    NDArray kT = qkv.get(1).transpose(0, 1, 3, 2);
    NDArray v = qkv.get(2);
    NDArray probs = q.matMul(kT).softmax(-1); // [T, heads, N, N]
    NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(t, n, config.hiddenSize());
    NDArray residual = linear(context, l.outWeight(), l.outBias()).add(x);
    NDArray mlp = linear(Activations.apply(config.hiddenAct(),
        linear(layerNorm(residual, l.layerNorm2Weight(), l.layerNorm2Bias(), eps), l.fc1Weight(), l.fc1Bias())),
        l.fc2Weight(), l.fc2Bias());
    return mlp.add(residual);
  }
}
