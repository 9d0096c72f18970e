package dev.llava.model.image;

/**
 * What an image header says, read without decoding the pixels.
 *
 * @param format ImageIO's format name in lower case ("png", "jpeg", "gif", "bmp", "webp", ...)
 * @param width pixels per row of the decoded image (after EXIF orientation if the decoder applies it)
 * @param height rows of the decoded image (likewise)
 * @param exifOrientation the EXIF orientation tag, 1..8 (1 = none or absent)
 */
public record ImageHeader(String format, int width, int height, int exifOrientation) {
  /** Pixels of the decoded image, for rejecting decompression bombs before decoding. */
  public long pixels() {
    return (long) width * height;
  }
}
