package dev.llava.model.nn;

import ai.djl.ndarray.NDArray;

/** Llama's RMSNorm: {@code w * (x / sqrt(mean(x^2) + eps))}, all float32. */
public final class RmsNorm {
  private static final int[] LAST_AXIS = {-1};
  private final NDArray weight; // [hidden]
  private final float eps;

  public RmsNorm(NDArray weight, double eps) {
    this.weight = weight;
    this.eps = (float) eps;
  }

  /** x: [..., hidden]; intermediates and result in {@code x}'s manager. */
  public NDArray apply(NDArray x) {
    NDArray meanSquare = x.square().mean(LAST_AXIS, true); // [..., 1]
    NDArray rms = meanSquare.addi(eps).sqrt();
    return x.div(rms).muli(weight);
  }
}
