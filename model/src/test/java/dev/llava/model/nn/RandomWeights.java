package dev.llava.model.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.TextConfig;
import java.util.ArrayList;
import java.util.List;

/** Random decoder weights for tests and benchmarks of shapes no fixture has (GQA, biases, big sizes). */
public final class RandomWeights {
  private RandomWeights() {}

  /** Normal(0, std) matrices, norms near 1, biases (if the config has them) Normal(0, std). */
  public static LlavaWeights.Text text(TextConfig c, NDManager m, long seed, float std) {
    Engine.getInstance().setRandomSeed((int) seed);
    int h = c.hiddenSize();
    int qkv = c.qkvSize();
    int q = c.numAttentionHeads() * c.headDim();
    int inter = c.intermediateSize();
    List<LlavaWeights.DecoderLayer> layers = new ArrayList<>();
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      layers.add(new LlavaWeights.DecoderLayer(
          norm(m, h), normal(m, std, qkv, h), c.attentionBias() ? normal(m, std, qkv) : null,
          normal(m, std, h, q), c.attentionBias() ? normal(m, std, h) : null,
          norm(m, h), normal(m, std, 2L * inter, h), c.mlpBias() ? normal(m, std, 2L * inter) : null,
          normal(m, std, h, inter), c.mlpBias() ? normal(m, std, h) : null));
    }
    return new LlavaWeights.Text(normal(m, std, c.vocabSize(), h), List.copyOf(layers), norm(m, h),
        normal(m, std, c.vocabSize(), h));
  }

  /** A random CLIP tower with {@code layers} encoder layers (the ones LLaVA runs). */
  public static LlavaWeights.Vision vision(dev.llava.model.config.VisionConfig c, int layers, NDManager m, long seed,
      float std) {
    Engine.getInstance().setRandomSeed((int) seed);
    int h = c.hiddenSize();
    int inter = c.intermediateSize();
    List<LlavaWeights.VisionLayer> list = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      list.add(new LlavaWeights.VisionLayer(norm(m, h), normal(m, std, h), normal(m, std, 3L * h, h),
          normal(m, std, 3L * h), normal(m, std, h, h), normal(m, std, h), norm(m, h), normal(m, std, h),
          normal(m, std, inter, h), normal(m, std, inter), normal(m, std, h, inter), normal(m, std, h)));
    }
    return new LlavaWeights.Vision(normal(m, std, h, c.numChannels(), c.patchSize(), c.patchSize()), normal(m, std, h),
        normal(m, std, c.numPositions(), h), norm(m, h), normal(m, std, h), List.copyOf(list));
  }

  private static NDArray normal(NDManager m, float std, long... shape) {
    return m.randomNormal(0f, std, new Shape(shape), ai.djl.ndarray.types.DataType.FLOAT32);
  }

  private static NDArray norm(NDManager m, int h) {
    return m.randomNormal(1f, 0.1f, new Shape(h), ai.djl.ndarray.types.DataType.FLOAT32);
  }
}
