package dev.llava.model.nn;

import ai.djl.ndarray.NDArray;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.HiddenAct;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.config.ProjectorType;

/**
 * HF LlavaMultiModalProjector: {@code linear_2(act(linear_1(x)))} (act = exact erf GELU by
 * default), or a single {@code linear_1} for the LLaVA v1 "linear" projector type.
 */
public final class MultiModalProjector {
  private final Linear linear1; // [Hv] -> [Ht]
  private final Linear linear2; // [Ht] -> [Ht], null for the linear type
  private final HiddenAct act;

  public MultiModalProjector(LlavaConfig config, LlavaWeights.Projector w) {
    this.linear1 = new Linear(w.linear1Weight(), w.linear1Bias());
    this.linear2 = config.projectorType() == ProjectorType.LINEAR ? null : new Linear(w.linear2Weight(), w.linear2Bias());
    this.act = config.projectorHiddenAct();
  }

  /** features: [..., Hv] -> [..., Ht] in features' manager. */
  public NDArray apply(NDArray features) {
    if (features.getShape().get(features.getShape().dimension() - 1) != linear1.inFeatures()) {
      throw new IllegalArgumentException("projector expects vision features of width " + linear1.inFeatures()
          + ", got shape " + features.getShape());
    }
    NDArray h = linear1.apply(features);
    if (linear2 == null) return h;
    NDArray a = Activation.apply(act, h);
    h.close();
    NDArray out = linear2.apply(a);
    a.close();
    return out;
  }
}
