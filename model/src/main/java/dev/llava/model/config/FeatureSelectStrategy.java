package dev.llava.model.config;

/** {@code vision_feature_select_strategy}: which CLIP tokens feed the projector. */
public enum FeatureSelectStrategy {
  /** Drop the CLS token: 576 tokens per 336px tile. */
  DEFAULT("default"),
  /** Keep the CLS token (577 tokens); not usable with LLaVA-NeXT's AnyRes packing. */
  FULL("full");

  private final String hfName;

  FeatureSelectStrategy(String hfName) {
    this.hfName = hfName;
  }

  public String hfName() {
    return hfName;
  }

  /** Extra tokens per tile on top of the (S/p)^2 patch tokens: the CLS token when kept. */
  public int extraTokensPerTile() {
    return this == FULL ? 1 : 0;
  }

  public static FeatureSelectStrategy fromHf(String name) {
    for (FeatureSelectStrategy s : values()) {
      if (s.hfName.equals(name)) return s;
    }
    throw new IllegalArgumentException("config field 'vision_feature_select_strategy': '" + name
        + "' is not supported (supported: default, full)");
  }
}
