package dev.llava.model.data;

import java.awt.Color;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * The four object colours. Each is drawn as a pure-ish hue with jitter in hue, saturation and
 * brightness, so that a model learns the hue family rather than one exact RGB value and still
 * recognises e.g. (255,0,0), (0,128,0), (0,0,255) or Material-style #e53935, #43a047, #1e88e5
 * drawn by other programs. The ranges keep the families far apart: yellow never drifts towards
 * orange or olive, green never towards cyan, blue never towards cyan or purple.
 */
public enum ShapeColor {
  // hue degrees [min, max], saturation [min, max], brightness [min, max]
  RED(-8, 8, 0.70, 1.00, 0.70, 1.00),
  GREEN(105, 135, 0.55, 1.00, 0.50, 1.00),
  BLUE(205, 245, 0.70, 1.00, 0.60, 1.00),
  YELLOW(50, 60, 0.75, 1.00, 0.88, 1.00);

  private final double hueMin;
  private final double hueMax;
  private final double satMin;
  private final double satMax;
  private final double valMin;
  private final double valMax;

  ShapeColor(double hueMin, double hueMax, double satMin, double satMax, double valMin, double valMax) {
    this.hueMin = hueMin;
    this.hueMax = hueMax;
    this.satMin = satMin;
    this.satMax = satMax;
    this.valMin = valMin;
    this.valMax = valMax;
  }

  /** Lower-case English word used in questions and answers ("red"). */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Draws one jittered RGB value (0xRRGGBB) of this colour family. */
  public int sampleRgb(RandomGenerator random) {
    double hue = random.nextDouble(hueMin, hueMax);
    double sat = random.nextDouble(satMin, satMax);
    double val = random.nextDouble(valMin, valMax);
    float hueTurns = (float) (((hue % 360) + 360) % 360 / 360.0);
    return Color.HSBtoRGB(hueTurns, (float) sat, (float) val) & 0xFFFFFF;
  }

  /**
   * The colour family an RGB value belongs to, or {@code null} when it lies outside every family
   * (grey, dark, pastel, or an in-between hue). Used by tests to check rendered pixels.
   */
  public static ShapeColor classify(int rgb) {
    float[] hsb = Color.RGBtoHSB((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF, null);
    double hue = hsb[0] * 360.0;
    for (ShapeColor color : values()) {
      double h = color.hueMin < 0 && hue > 180 ? hue - 360 : hue;
      // a little tolerance for 8-bit rounding of the drawn value
      if (h >= color.hueMin - 2 && h <= color.hueMax + 2
          && hsb[1] >= color.satMin - 0.03 && hsb[2] >= color.valMin - 0.03) {
        return color;
      }
    }
    return null;
  }

  public static ShapeColor fromWord(String word) {
    for (ShapeColor color : values()) {
      if (color.word().equals(word)) {
        return color;
      }
    }
    throw new IllegalArgumentException("unknown colour '" + word + "', expected one of red, green, blue, yellow");
  }
}
