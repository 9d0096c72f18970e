package dev.llava.model.image;

import java.util.List;

/**
 * transformers' {@code select_best_resolution} (image_processing_utils.py): the AnyRes grid
 * resolution that keeps the most of the image's pixels, and among equals wastes the fewest.
 *
 * <p>For each pinpoint (H, W): {@code s = min(W / w, H / h)} (double division, as Python's {@code /}),
 * effective = {@code min(int(w * s) * int(h * s), w * h)}, wasted = {@code H * W - effective}; a
 * pinpoint wins if its effective resolution is larger, or equal with strictly less waste, so the first
 * of exact ties wins.
 */
public final class BestResolutionSelector {
  private BestResolutionSelector() {}

  /**
   * @param height original image height
   * @param width original image width
   * @param pinpoints candidate resolutions, [height, width] each, in config order
   */
  public static Resolution select(int height, int width, List<Resolution> pinpoints) {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("image size must be at least 1x1 (height x width), got "
          + height + "x" + width);
    }
    if (pinpoints.isEmpty()) {
      throw new IllegalArgumentException("AnyRes needs at least one image_grid_pinpoints entry, got none");
    }
    Resolution best = null;
    long maxEffective = 0;
    long minWasted = Long.MAX_VALUE;
    for (Resolution p : pinpoints) {
      double scale = Math.min((double) p.width() / width, (double) p.height() / height);
      long downscaledWidth = (long) (width * scale);
      long downscaledHeight = (long) (height * scale);
      long effective = Math.min(downscaledWidth * downscaledHeight, (long) width * height);
      long wasted = (long) p.width() * p.height() - effective;
      if (effective > maxEffective || (effective == maxEffective && wasted < minWasted)) {
        maxEffective = effective;
        minWasted = wasted;
        best = p;
      }
    }
    if (best == null) {
      // only when every candidate keeps 0 pixels, e.g. a pinpoint far smaller than a huge image side
      throw new IllegalArgumentException("no image_grid_pinpoints entry can hold any pixel of a "
          + height + "x" + width + " image: " + pinpoints);
    }
    return best;
  }
}
