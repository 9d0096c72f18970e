package dev.llava.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.HiddenAct;
import dev.llava.model.config.VisionConfig;

/**
 * HF CLIPEncoderLayer: pre-LN multi-head attention (q scaled by head_dim^-0.5, no mask) and pre-LN
 * MLP fc1 -> act -> fc2, each with a residual. q|k|v is one matmul.
 */
final class ClipEncoderLayer {
  private final int heads;
  private final int headDim;
  private final int hidden;
  private final float scale;
  private final float eps;
  private final HiddenAct act;
  private final LlavaWeights.VisionLayer w;
  private final Linear qkvProj; // [H] -> [3H]
  private final Linear outProj;
  private final Linear fc1;
  private final Linear fc2;

  ClipEncoderLayer(VisionConfig config, LlavaWeights.VisionLayer w) {
    this.heads = config.numAttentionHeads();
    this.headDim = config.headDim();
    this.hidden = config.hiddenSize();
    this.scale = (float) Math.pow(headDim, -0.5);
    this.eps = (float) config.layerNormEps();
    this.act = config.hiddenAct();
    this.w = w;
    this.qkvProj = new Linear(w.qkvWeight(), w.qkvBias());
    this.outProj = new Linear(w.outWeight(), w.outBias());
    this.fc1 = new Linear(w.fc1Weight(), w.fc1Bias());
    this.fc2 = new Linear(w.fc2Weight(), w.fc2Bias());
  }

  /** x: [tiles, tokens, H] -> [tiles, tokens, H] in x's manager. */
  NDArray forward(NDArray x) {
    long t = x.getShape().get(0);
    long n = x.getShape().get(1);
    try (NDManager scope = NDManager.subManagerOf(x)) {
      x.tempAttach(scope);
      NDArray h = layerNorm(x, w.layerNorm1Weight(), w.layerNorm1Bias());
      // [3, tiles, heads, tokens, headDim]
      NDArray qkv = qkvProj.apply(h).reshape(t, n, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
      NDArray q = qkv.get(0).mul(scale);
      NDArray kT = qkv.get(1).transpose(0, 1, 3, 2); // [tiles, heads, headDim, tokens]
      NDArray v = qkv.get(2);
      NDArray probs = q.matMul(kT).softmax(-1); // [tiles, heads, tokens, tokens]
      NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(t, n, hidden);
      NDArray residual = outProj.apply(context).addi(x);
      NDArray mlp = fc2.apply(Activation.apply(act, fc1.apply(layerNorm(residual, w.layerNorm2Weight(), w.layerNorm2Bias()))));
      return scope.ret(mlp.addi(residual));
    }
  }

  private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
    return layerNorm(x, weight, bias, eps);
  }

  static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, float eps) {
    Shape normalized = new Shape(weight.getShape().get(0));
    return x.getNDArrayInternal().layerNorm(x, normalized, weight, bias, eps).singletonOrThrow();
  }
}
