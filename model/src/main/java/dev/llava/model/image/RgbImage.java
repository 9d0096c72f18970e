package dev.llava.model.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved ({@code [height, width, 3]} uint8, HWC),
 * i.e. what {@code np.asarray(pil_image.convert("RGB"))} holds.
 *
 * <p>The pixel array is shared, not copied: treat it as read-only once the image is handed on.
 *
 * @param width pixels per row
 * @param height rows
 * @param pixels {@code [height, width, 3]} bytes, read as unsigned
 */
public record RgbImage(int width, int height, byte[] pixels) {

  public RgbImage {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be at least 1x1, got " + width + "x" + height);
    }
    long expected = 3L * width * height;
    if (pixels.length != expected) {
      throw new IllegalArgumentException("RGB pixels for " + width + "x" + height + " must hold " + expected
          + " bytes, got " + pixels.length);
    }
  }

  /** A black image (all channels 0), as {@code Image.new("RGB", (w, h))} makes. */
  public static RgbImage black(int width, int height) {
    return new RgbImage(width, height, new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)]);
  }

  /** An image filled with one colour, as {@code Image.new("RGB", (w, h), (r, g, b))} makes. */
  public static RgbImage filled(int width, int height, int r, int g, int b) {
    RgbImage image = black(width, height);
    byte[] p = image.pixels;
    for (int i = 0; i < p.length; i += 3) {
      p[i] = (byte) r;
      p[i + 1] = (byte) g;
      p[i + 2] = (byte) b;
    }
    return image;
  }

  /** Channel {@code c} (0=R, 1=G, 2=B) of pixel (x, y) as 0..255. */
  public int get(int x, int y, int c) {
    return pixels[(y * width + x) * 3 + c] & 0xff;
  }

  /**
   * Copies the rectangle {@code [left, left+w) x [top, top+h)}; parts outside this image are black
   * (0), which is both numpy's zero padding and PIL's {@code crop} outside the image for RGB.
   */
  public RgbImage crop(int left, int top, int w, int h) {
    RgbImage out = black(w, h);
    int x0 = Math.max(0, left);
    int x1 = Math.min(width, left + w);
    if (x1 <= x0) {
      return out;
    }
    int rowBytes = (x1 - x0) * 3;
    for (int y = Math.max(0, top); y < Math.min(height, top + h); y++) {
      System.arraycopy(pixels, (y * width + x0) * 3, out.pixels, ((y - top) * w + (x0 - left)) * 3, rowBytes);
    }
    return out;
  }

  /** Pastes {@code image} with its top-left corner at (left, top) onto a copy of this image, clipped. */
  public RgbImage paste(RgbImage image, int left, int top) {
    RgbImage out = new RgbImage(width, height, pixels.clone());
    int x0 = Math.max(0, left);
    int x1 = Math.min(width, left + image.width);
    if (x1 <= x0) {
      return out;
    }
    int rowBytes = (x1 - x0) * 3;
    for (int y = Math.max(0, top); y < Math.min(height, top + image.height); y++) {
      System.arraycopy(image.pixels, ((y - top) * image.width + (x0 - left)) * 3,
          out.pixels, (y * width + x0) * 3, rowBytes);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage other && width == other.width && height == other.height
        && Arrays.equals(pixels, other.pixels);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(pixels);
  }

  @Override
  public String toString() {
    return "RgbImage[" + width + "x" + height + "]";
  }
}
