package dev.llava.model.data;

import java.util.Locale;

/**
 * How the area behind the objects is painted. Every kind stays clearly apart from the four object
 * colours: greys, low-saturation tints, or noise around such a base.
 *
 * @param kind the painting style
 * @param rgb base colour 0xRRGGBB (gradient: top colour)
 * @param rgbEnd gradient bottom colour (equal to {@code rgb} for other kinds)
 * @param noiseSigma standard deviation of the per-block grey noise in 8-bit levels (0 = none)
 * @param noiseBlock side in pixels of the square blocks sharing one noise value (noise in blocks
 *     keeps PNGs small and fast to write; 1 = per-pixel)
 * @param noiseSeed seed of the noise field, so an image re-renders identically
 */
public record Background(Kind kind, int rgb, int rgbEnd, double noiseSigma, int noiseBlock, long noiseSeed) {

  /** Painting style; {@link #id()} is the name stored in the dataset metadata. */
  public enum Kind {
    PLAIN_LIGHT,
    PLAIN_DARK,
    TINTED,
    GRADIENT,
    NOISY;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static Background plain(Kind kind, int rgb) {
    return new Background(kind, rgb, rgb, 0, 1, 0);
  }
}
