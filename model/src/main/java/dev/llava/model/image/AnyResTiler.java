package dev.llava.model.image;

import java.util.ArrayList;
import java.util.List;

/**
 * transformers' {@code LlavaNextImageProcessor} (PIL "slow" path) on one RGB image, bit-exact:
 * <ol>
 *   <li>{@code best = select_best_resolution((h, w), image_grid_pinpoints)};
 *   <li>resize keeping the aspect ratio to {@link AnyResGeometry#resizedSize} (PIL BICUBIC);
 *   <li>pad to {@code best} with black (uint8 0, i.e. before normalisation), centred by
 *       {@code divmod} (the odd pixel goes bottom/right);
 *   <li>cut into {@code crop_size} tiles, row-major;
 *   <li>tile 0 is the original image resized directly to {@code size} (S x S, aspect not kept);
 *   <li>every tile then runs the CLIP steps (shortest-edge resize, centre crop, rescale,
 *       normalise), which for S x S tiles are a copy, a no-op crop and the normalisation.
 * </ol>
 * Stateless after construction and safe to share between threads.
 */
public final class AnyResTiler {
  private final ImageProcessorConfig config;
  private final ClipImageProcessor clip;
  private final int tileSize;

  public AnyResTiler(ImageProcessorConfig config) {
    if (!config.anyRes()) {
      throw new IllegalArgumentException("AnyRes tiling needs image_grid_pinpoints, the config has none"
          + " (image_processor_type " + config.imageProcessorType() + ")");
    }
    this.config = config;
    this.clip = new ClipImageProcessor(config, false);
    this.tileSize = ImageLayouts.tileSize(config);
    for (Resolution p : config.imageGridPinpoints()) {
      if (p.height() % tileSize != 0 || p.width() % tileSize != 0) {
        throw new IllegalArgumentException("every image_grid_pinpoints entry must be a multiple of the tile size "
            + tileSize + " on both sides, got " + p);
      }
    }
  }

  /** The chosen grid resolution for an image of this size. */
  public Resolution bestResolution(int height, int width) {
    return BestResolutionSelector.select(height, width, config.imageGridPinpoints());
  }

  /** Steps 1-3: the black-padded canvas of size {@code best} that is cut into tiles (uint8). */
  public RgbImage resizeAndPad(RgbImage image) {
    Resolution best = bestResolution(image.height(), image.width());
    Resolution resized = AnyResGeometry.resizedSize(image.height(), image.width(), best);
    RgbImage scaled = PilBicubicResizer.resize(image, resized.width(), resized.height());
    int[] offset = AnyResGeometry.padOffset(resized, best);
    return RgbImage.black(best.width(), best.height()).paste(scaled, offset[1], offset[0]);
  }

  /** Step 5: the whole image squashed to {@code size} (S x S), before the CLIP steps. */
  public RgbImage baseImage(RgbImage image) {
    Resolution base = config.size().asResolution();
    return PilBicubicResizer.resize(image, base.width(), base.height());
  }

  /** Steps 1-5: the uint8 tiles in output order, base image first, before the CLIP steps. */
  public List<RgbImage> tiles(RgbImage image) {
    RgbImage canvas = resizeAndPad(image);
    List<RgbImage> tiles = new ArrayList<>();
    tiles.add(baseImage(image));
    for (int top = 0; top < canvas.height(); top += tileSize) {
      for (int left = 0; left < canvas.width(); left += tileSize) {
        tiles.add(canvas.crop(left, top, tileSize, tileSize));
      }
    }
    return tiles;
  }

  /** The whole pipeline: {@code [1 + rows * cols, 3, S, S]}. */
  public PixelValues process(RgbImage image) {
    List<RgbImage> tiles = tiles(image);
    Resolution crop = config.cropSize();
    int tileLength = 3 * crop.height() * crop.width();
    float[] out = new float[tiles.size() * tileLength];
    for (int i = 0; i < tiles.size(); i++) {
      RgbImage ready = clip.resizeAndCrop(tiles.get(i));
      clip.writeChw(ready, out, i * tileLength);
    }
    return new PixelValues(out, tiles.size(), crop.height(), crop.width());
  }
}
