package dev.llava.model.train;

import dev.llava.model.data.Region;
import dev.llava.model.data.Scene;
import dev.llava.model.data.SceneObject;
import dev.llava.model.data.ShapeColor;
import dev.llava.model.data.ShapeKind;
import dev.llava.model.image.AnyResGeometry;
import dev.llava.model.image.BestResolutionSelector;
import dev.llava.model.image.ImageLayouts;
import dev.llava.model.image.ImageProcessorConfig;
import dev.llava.model.image.Resolution;

/**
 * What each CLIP patch of a shapes scene should report, for {@link VisionPretraining}: the (shape, colour) class of
 * the object whose centre falls in the patch, or {@link #NONE}; and, on the whole-image tile only, that object's
 * {@link Region} (so image tokens say where their object is and the decoder can find "the object at the top" by
 * content; a grid tile cannot know where in the image it is, so its patches have {@link #IGNORED} regions). Patches follow the model's own AnyRes tiling, so
 * the targets line up with the pixels the processor makes: tile 0 is the whole image squashed to S x S, then the
 * tiles of the resized and black-padded grid canvas, row-major, each {@code g x g} patches (g = S / patch),
 * row-major. Padding patches and patches of objects' edges are {@link #NONE}, as in centre-point detection.
 */
final class PatchTargets {
  static final int NONE = 0;
  /** NONE plus one class per (shape, colour). */
  static final int CLASSES = 1 + ShapeKind.values().length * ShapeColor.values().length;
  /** NONE plus one class per region. */
  static final int REGIONS = 1 + Region.values().length;
  /** Region target of a patch whose region is not asked for. */
  static final int IGNORED = -1;

  /**
   * @param kinds per patch: {@link #NONE} or {@link #classOf} the object centred in it, {@code [tiles * g * g]}
   * @param regions per patch: {@link #NONE}, 1 + the centred object's region ordinal, or {@link #IGNORED}
   */
  record Targets(int[] kinds, int[] regions) {}

  private PatchTargets() {}

  static int classOf(ShapeKind shape, ShapeColor color) {
    return 1 + shape.ordinal() * ShapeColor.values().length + color.ordinal();
  }

  /**
   * @return targets over {@code [tiles * g * g]} patches, tiles in the processor's order
   * @throws IllegalArgumentException for a processor without AnyRes tiling
   */
  static Targets of(Scene scene, ImageProcessorConfig config, int patchSize) {
    if (!config.anyRes()) {
      throw new IllegalArgumentException("vision pre-training needs an AnyRes (llava_next) image processor,"
          + " the model's has no image_grid_pinpoints");
    }
    int s = ImageLayouts.tileSize(config);
    int g = s / patchSize;
    int w = scene.width();
    int h = scene.height();
    Resolution best = BestResolutionSelector.select(h, w, config.imageGridPinpoints());
    Resolution resized = AnyResGeometry.resizedSize(h, w, best);
    int[] topLeft = AnyResGeometry.padOffset(resized, best);
    int columns = best.width() / s;
    int tiles = 1 + columns * (best.height() / s);
    int[] targets = new int[tiles * g * g];
    int[] regions = new int[tiles * g * g];
    java.util.Arrays.fill(regions, g * g, regions.length, IGNORED);
    for (SceneObject o : scene.objects()) {
      int label = classOf(o.shape(), o.color());
      // tile 0: the whole image squashed to S x S
      int base = mark(targets, 0, g, patchSize, o.x() * s / w, o.y() * s / h, label);
      if (targets[base] == label && regions[base] == NONE) regions[base] = 1 + o.region().ordinal();
      // the grid canvas: scaled keeping the aspect ratio, then offset by the padding
      double cx = o.x() * resized.width() / w + topLeft[1];
      double cy = o.y() * resized.height() / h + topLeft[0];
      int tile = 1 + (int) (cy / s) * columns + (int) (cx / s);
      mark(targets, tile, g, patchSize, cx % s, cy % s, label);
    }
    return new Targets(targets, regions);
  }

  // two centres in one patch (rare: neighbouring cells, both near the shared edge) keep the first object's class
  private static int mark(int[] targets, int tile, int g, int patchSize, double x, double y, int label) {
    int column = Math.min(g - 1, (int) (x / patchSize));
    int row = Math.min(g - 1, (int) (y / patchSize));
    int index = (tile * g + row) * g + column;
    if (targets[index] == NONE) targets[index] = label;
    return index;
  }
}
