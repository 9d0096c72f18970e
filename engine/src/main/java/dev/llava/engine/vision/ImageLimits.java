package dev.llava.engine.vision;

/**
 * What the vision encoder accepts. Pixels are checked from the image header before decoding, so a small file that
 * would decompress into gigabytes (a decompression bomb) is refused without allocating its pixels.
 *
 * @param maxImageBytes largest encoded image
 * @param maxImagePixels largest width * height
 * @param maxImagesPerRequest most images in one Encode call
 */
public record ImageLimits(int maxImageBytes, long maxImagePixels, int maxImagesPerRequest) {
  public ImageLimits {
    if (maxImageBytes < 1 || maxImagePixels < 1 || maxImagesPerRequest < 1) {
      throw new IllegalArgumentException("image limits must be >= 1, got bytes " + maxImageBytes + ", pixels "
          + maxImagePixels + ", images " + maxImagesPerRequest);
    }
  }
}
