package dev.llava.model.image;

/**
 * Pixel and feature geometry of LLaVA-NeXT's AnyRes from the image size alone.
 *
 * <p>Resize and pad mirror {@code LlavaNextImageProcessor} ({@code get_patch_output_size},
 * {@code _pad_for_patching}); unpad mirrors {@code unpad_image} / {@code _get_unpadded_features}
 * (modeling_llava_next.py, processing_llava_next.py).
 */
public final class AnyResGeometry {
  private AnyResGeometry() {}

  /**
   * {@code get_patch_output_size}: the size the image is resized to before padding to {@code target}.
   * The limiting side becomes the target side; the other is {@code min(ceil(side * scale), target)},
   * with the scale and product in double precision exactly as Python computes them.
   */
  public static Resolution resizedSize(int height, int width, Resolution target) {
    double scaleW = (double) target.width() / width;
    double scaleH = (double) target.height() / height;
    if (scaleW < scaleH) {
      int newHeight = (int) Math.min(Math.ceil(height * scaleW), target.height());
      return new Resolution(newHeight, target.width());
    }
    int newWidth = (int) Math.min(Math.ceil(width * scaleH), target.width());
    return new Resolution(target.height(), newWidth);
  }

  /**
   * {@code _pad_for_patching}: offset of the resized image inside the black {@code target} canvas,
   * {@code divmod(target - resized, 2)}, so an odd remainder adds the extra pixel at the bottom/right.
   * (transformers up to ~4.48 padded {@code d // 2} on both sides, one pixel short for odd {@code d}.)
   *
   * @return {@code [top, left]}
   */
  public static int[] padOffset(Resolution resized, Resolution target) {
    return new int[] {(target.height() - resized.height()) / 2, (target.width() - resized.width()) / 2};
  }

  /**
   * The feature rows/columns kept by unpadding a {@code gridHeight x gridWidth} feature map of an
   * image of the given original size.
   *
   * <p>transformers compares {@code w / h > gridW / gridH} and computes
   * {@code int(round(h * (gridW / w), 7))} (4.47+; 4.45/4.46 used {@code int(h * (gridW / w))}). This
   * uses the exact rational comparison and {@code floor(h * gridW / w)} in integers instead: the exact
   * value is a fraction with denominator w, so it is either an integer (where the old truncation could
   * land one below) or at least 1/w away from one, which {@code round(..., 7)} cannot cross for
   * w below 10^7; so this equals current transformers for every realistic size.
   *
   * @return {@code [rowOffset, rows, colOffset, cols]}
   */
  public static int[] unpaddedRegion(int height, int width, int gridHeight, int gridWidth) {
    if ((long) width * gridHeight > (long) gridWidth * height) {
      int newHeight = (int) ((long) height * gridWidth / width);
      int padding = (gridHeight - newHeight) / 2;
      return new int[] {padding, gridHeight - 2 * padding, 0, gridWidth};
    }
    int newWidth = (int) ((long) width * gridHeight / height);
    int padding = (gridWidth - newWidth) / 2;
    return new int[] {0, gridHeight, padding, gridWidth - 2 * padding};
  }
}
