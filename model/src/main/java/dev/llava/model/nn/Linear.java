package dev.llava.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code y = x W^T + b} with HF's {@code [out, in]} weight, through torch's {@code F.linear}
 * (addmm with a transposed operand, no copy of W). The result lives in {@code x}'s manager.
 */
public final class Linear {
  private final NDArray weight; // [out, in]
  private final NDArray bias; // [out] or null

  public Linear(NDArray weight, NDArray bias) {
    this.weight = weight;
    this.bias = bias;
  }

  /** x: [..., in] -> [..., out]. */
  public NDArray apply(NDArray x) {
    return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
  }

  public long inFeatures() {
    return weight.getShape().get(1);
  }

  public long outFeatures() {
    return weight.getShape().get(0);
  }
}
