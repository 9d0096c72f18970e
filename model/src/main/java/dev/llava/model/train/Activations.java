package dev.llava.model.train;

import ai.djl.ndarray.NDArray;
import dev.llava.model.config.HiddenAct;

/**
 * HF activations and small ops for the training forward. Unlike the inference {@code nn.Activation}, nothing here
 * works in place: autograd keeps e.g. sigmoid's output for the backward pass, and an in-place multiply would
 * overwrite it.
 *
 * <p>Scalars: DJL 0.35.1's {@code NDArray.mul(Number)} / {@code div(Number)} wrap the number in a tensor over a
 * Java direct buffer and close it right after the op, but autograd keeps that tensor for the backward pass
 * (MulBackward saves the other factor); once the garbage collector frees the buffer, the backward pass reads freed
 * memory (NaN gradients that come and go with GC timing). The training forward therefore multiplies only by
 * {@link #scalar} tensors, which PyTorch allocates and reference-counts itself.
 */
final class Activations {
  private static final float QUICK_GELU_SCALE = 1.702f;
  private static final float SQRT_2_OVER_PI = 0.7978845608028654f;

  private Activations() {}

  /** Result in {@code x}'s manager. */
  static NDArray apply(HiddenAct act, NDArray x) {
    return switch (act) {
      case GELU -> x.getNDArrayInternal().gelu(); // exact erf form, as HF "gelu"
      case GELU_TANH -> {
        // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        NDArray inner = x.mul(x).mul(x).mul(scalar(x, 0.044715f)).add(x).mul(scalar(x, SQRT_2_OVER_PI));
        yield inner.tanh().add(scalar(x, 1f)).mul(x).mul(scalar(x, 0.5f));
      }
      case QUICK_GELU -> x.mul(scalar(x, QUICK_GELU_SCALE)).getNDArrayInternal().sigmoid().mul(x);
      case SILU -> x.getNDArrayInternal().sigmoid().mul(x);
      case RELU -> x.getNDArrayInternal().relu();
    };
  }

  /** {@code y = x W^T + b} with HF's [out, in] weight; result in x's manager. */
  static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
  }

  /** torch layer_norm over the last axis; result in x's manager. */
  static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, float eps) {
    return x.getNDArrayInternal()
        .layerNorm(x, new ai.djl.ndarray.types.Shape(weight.getShape().get(0)), weight, bias, eps)
        .singletonOrThrow();
  }

  /** Llama RMSNorm {@code w * x / sqrt(mean(x^2) + eps)}, out of place; result in x's manager. */
  static NDArray rmsNorm(NDArray x, NDArray weight, float eps) {
    NDArray rms = x.square().mean(new int[] {-1}, true).add(scalar(x, eps)).sqrt();
    return x.div(rms).mul(weight);
  }

  /** A 0-d float32 tensor in {@code like}'s manager, allocated by PyTorch (see the class comment). */
  static NDArray scalar(NDArray like, float value) {
    return like.getManager().full(new ai.djl.ndarray.types.Shape(), value);
  }
}
