package dev.llava.model.image;

/**
 * Image bytes that cannot be turned into an {@link RgbImage}: unknown format, corrupt or truncated
 * data, or an image over the pixel limit. The message says what was expected and what arrived.
 */
public class ImageDecodeException extends IllegalArgumentException {
  public ImageDecodeException(String message) {
    super(message);
  }

  public ImageDecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
