package dev.llava.model.image;

/**
 * Normalised pixels of one image as the vision tower takes them: float32
 * {@code [tiles, 3, height, width]} row-major (CHW per tile), exactly HF's {@code pixel_values}
 * of that image (LLaVA-1.5: one tile; LLaVA-NeXT: base image then grid tiles row-major).
 *
 * @param data {@code [tiles, 3, height, width]}
 * @param tiles number of tiles
 * @param height tile height
 * @param width tile width
 */
public record PixelValues(float[] data, int tiles, int height, int width) {
  public static final int CHANNELS = 3;

  public PixelValues {
    long expected = (long) tiles * CHANNELS * height * width;
    if (data.length != expected) {
      throw new IllegalArgumentException("pixel values [" + tiles + ", 3, " + height + ", " + width
          + "] need " + expected + " floats, got " + data.length);
    }
  }

  /** {@code [tiles, 3, height, width]}. */
  public long[] shape() {
    return new long[] {tiles, CHANNELS, height, width};
  }

  /** Floats per tile: {@code 3 * height * width}. */
  public int tileLength() {
    return CHANNELS * height * width;
  }
}
