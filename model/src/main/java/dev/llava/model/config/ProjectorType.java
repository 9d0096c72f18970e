package dev.llava.model.config;

/**
 * Shape of the multimodal projector. Our extension to HF's config.json: the field
 * {@code "projector_type"} (or the original LLaVA repo's {@code "mm_projector_type"}) selects
 * {@code "mlp2x_gelu"} (default, HF's LlavaMultiModalProjector: linear_1 -> act -> linear_2) or
 * {@code "linear"} (LLaVA v1: a single projection stored under the {@code linear_1} key names).
 */
public enum ProjectorType {
  MLP2X_GELU("mlp2x_gelu"),
  LINEAR("linear");

  private final String hfName;

  ProjectorType(String hfName) {
    this.hfName = hfName;
  }

  public String hfName() {
    return hfName;
  }

  public static ProjectorType fromHf(String name) {
    for (ProjectorType p : values()) {
      if (p.hfName.equals(name)) return p;
    }
    throw new IllegalArgumentException("config field 'projector_type': '" + name
        + "' is not supported (supported: mlp2x_gelu, linear)");
  }
}
