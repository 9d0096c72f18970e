package dev.llava.model.image;

/**
 * A size in pixels, height first, as HF's {@code image_grid_pinpoints} entries ({@code [height, width]}).
 *
 * @param height rows
 * @param width columns
 */
public record Resolution(int height, int width) {
  public Resolution {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("resolution must be at least 1x1 (height x width), got "
          + height + "x" + width);
    }
  }

  @Override
  public String toString() {
    return "[" + height + ", " + width + "]";
  }
}
