package dev.llava.model.image;

import java.util.Locale;

/** {@code vision_feature_select_strategy}: which CLIP tokens of each tile reach the projector. */
public enum FeatureSelectStrategy {
  /** Drop the CLS token: (S/p)^2 features per tile. */
  DEFAULT,
  /** Keep the CLS token: (S/p)^2 + 1 features per tile. */
  FULL;

  /** Parses the config value {@code "default"} or {@code "full"}. */
  public static FeatureSelectStrategy parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "default" -> DEFAULT;
      case "full" -> FULL;
      default -> throw new IllegalArgumentException(
          "vision_feature_select_strategy must be \"default\" or \"full\", got \"" + value + "\"");
    };
  }

  /** Extra tokens per tile on top of the (S/p)^2 patch tokens. */
  public int extraTokensPerTile() {
    return this == FULL ? 1 : 0;
  }
}
