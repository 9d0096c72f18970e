package dev.llava.model.nn;

import ai.djl.ndarray.NDArray;
import dev.llava.model.config.HiddenAct;

/** Applies an HF activation; results live in {@code x}'s manager. */
public final class Activation {
  private static final float QUICK_GELU_SCALE = 1.702f;
  private static final float SQRT_2_OVER_PI = 0.7978845608028654f;

  private Activation() {}

  public static NDArray apply(HiddenAct act, NDArray x) {
    return switch (act) {
      // torch's F.gelu default is the exact erf form, as HF's "gelu".
      case GELU -> x.getNDArrayInternal().gelu();
      case GELU_TANH -> {
        // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        NDArray inner = x.pow(3).muli(0.044715f).addi(x).muli(SQRT_2_OVER_PI);
        yield inner.tanh().addi(1f).muli(x).muli(0.5f);
      }
      case QUICK_GELU -> x.mul(QUICK_GELU_SCALE).getNDArrayInternal().sigmoid().muli(x);
      case SILU -> x.getNDArrayInternal().sigmoid().muli(x);
      case RELU -> x.getNDArrayInternal().relu();
    };
  }
}
