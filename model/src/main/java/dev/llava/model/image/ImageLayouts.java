package dev.llava.model.image;

import dev.llava.model.config.FeatureSelectStrategy;
import java.util.List;

/**
 * Computes an {@link ImageLayout} (tiles, unpad window, number of {@code <image>} tokens) from the
 * original image size and the processor/vision geometry alone, without pixels. The token counts are
 * those of transformers' {@code LlavaProcessor} / {@code LlavaNextProcessor}
 * ({@code _get_number_of_features}), which the model's feature packing must match.
 */
public final class ImageLayouts {
  private ImageLayouts() {}

  /**
   * LLaVA-1.5 (one tile, no AnyRes): {@code (S/p)^2} tokens, +1 with strategy {@code full} (CLS kept).
   *
   * @param tileSize CLIP input size S (crop size, e.g. 336)
   * @param patchSize CLIP patch size p (e.g. 14)
   */
  public static ImageLayout llava(int height, int width, int tileSize, int patchSize,
      FeatureSelectStrategy strategy) {
    checkImage(height, width);
    int perSide = patchesPerSide(tileSize, patchSize);
    int tokens = perSide * perSide + strategy.extraTokensPerTile();
    return new ImageLayout(height, width, tileSize, tileSize, 0, 0, tileSize, perSide, 0, 0, 0, 0, tokens);
  }

  /**
   * LLaVA-NeXT AnyRes: best resolution, {@code grid = best / S}, feature grid
   * {@code (rows * S/p) x (cols * S/p)} unpadded by the original aspect ratio, then
   * tokens = base {@code (S/p)^2} (+1 for {@code full}) + {@code unpaddedRows * unpaddedCols} +
   * {@code unpaddedRows} (one {@code image_newline} per kept row). A 1x1 grid follows the same formula
   * (the processor always emits the base image plus at least one grid tile).
   *
   * @param pinpoints candidate resolutions [height, width]; each side must be a multiple of S
   */
  public static ImageLayout anyRes(int height, int width, int tileSize, int patchSize,
      List<Resolution> pinpoints, FeatureSelectStrategy strategy) {
    checkImage(height, width);
    int perSide = patchesPerSide(tileSize, patchSize);
    for (Resolution p : pinpoints) {
      if (p.height() % tileSize != 0 || p.width() % tileSize != 0) {
        throw new IllegalArgumentException("every image_grid_pinpoints entry must be a multiple of the tile size "
            + tileSize + " on both sides, got " + p);
      }
    }
    Resolution best = BestResolutionSelector.select(height, width, pinpoints);
    int rows = best.height() / tileSize;
    int cols = best.width() / tileSize;
    int[] region = AnyResGeometry.unpaddedRegion(height, width, rows * perSide, cols * perSide);
    int keptRows = region[1];
    int keptCols = region[3];
    int tokens = perSide * perSide + strategy.extraTokensPerTile() + keptRows * keptCols + keptRows;
    return new ImageLayout(height, width, best.height(), best.width(), rows, cols, tileSize, perSide,
        keptRows, keptCols, region[0], region[2], tokens);
  }

  /**
   * The layout for a processor config: AnyRes when it has grid pinpoints, else LLaVA-1.5.
   * The tile size is the config's square {@code crop_size}.
   */
  public static ImageLayout of(int height, int width, ImageProcessorConfig config, int patchSize,
      FeatureSelectStrategy strategy) {
    int tileSize = tileSize(config);
    return config.anyRes()
        ? anyRes(height, width, tileSize, patchSize, config.imageGridPinpoints(), strategy)
        : llava(height, width, tileSize, patchSize, strategy);
  }

  /** The square tile (CLIP input) size of a config: its crop size, which must be square. */
  public static int tileSize(ImageProcessorConfig config) {
    Resolution crop = config.cropSize();
    if (crop.height() != crop.width()) {
      throw new IllegalArgumentException("LLaVA needs a square crop_size, got height " + crop.height()
          + " x width " + crop.width());
    }
    return crop.height();
  }

  private static int patchesPerSide(int tileSize, int patchSize) {
    if (patchSize < 1 || tileSize < patchSize || tileSize % patchSize != 0) {
      throw new IllegalArgumentException("tile size must be a positive multiple of the patch size, got tile "
          + tileSize + " and patch " + patchSize);
    }
    return tileSize / patchSize;
  }

  private static void checkImage(int height, int width) {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("image size must be at least 1x1 (height x width), got "
          + height + "x" + width);
    }
  }
}
