package dev.llava.model.config;

import java.util.ArrayList;
import java.util.List;

/** The activation functions named by HF configs ({@code hidden_act}, {@code projector_hidden_act}). */
public enum HiddenAct {
  /** Exact GELU with erf (HF "gelu"). */
  GELU("gelu"),
  /** GELU tanh approximation (HF "gelu_pytorch_tanh", "gelu_new"). */
  GELU_TANH("gelu_pytorch_tanh", "gelu_new"),
  /** {@code x * sigmoid(1.702 x)}, CLIP's default. */
  QUICK_GELU("quick_gelu"),
  /** {@code x * sigmoid(x)}, Llama's MLP gate. */
  SILU("silu", "swish"),
  RELU("relu");

  private final List<String> hfNames;

  HiddenAct(String... hfNames) {
    this.hfNames = List.of(hfNames);
  }

  public String hfName() {
    return hfNames.get(0);
  }

  /** Parses an HF activation name; {@code field} names the config field for the error. */
  public static HiddenAct fromHf(String name, String field) {
    List<String> known = new ArrayList<>();
    for (HiddenAct a : values()) {
      if (a.hfNames.contains(name)) return a;
      known.addAll(a.hfNames);
    }
    throw new IllegalArgumentException("config field '" + field + "': activation '" + name
        + "' is not supported (supported: " + String.join(", ", known) + ")");
  }
}
