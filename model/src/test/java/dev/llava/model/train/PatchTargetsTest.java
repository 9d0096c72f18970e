package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.config.FeatureSelectStrategy;
import dev.llava.model.data.Background;
import dev.llava.model.data.Region;
import dev.llava.model.data.Scene;
import dev.llava.model.data.SceneObject;
import dev.llava.model.data.SceneRenderer;
import dev.llava.model.data.SceneSampler;
import dev.llava.model.data.ShapeColor;
import dev.llava.model.data.ShapeKind;
import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.ImageProcessorConfig;
import dev.llava.model.image.LlavaImageProcessor;
import dev.llava.model.image.PixelValues;
import dev.llava.model.image.Resolution;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Patch targets line up with the pixels the AnyRes processor makes. */
class PatchTargetsTest {
  private static final int TILE = 64;
  private static final int PATCH = 16;
  private static final ImageProcessorConfig CONFIG = ImageProcessorConfig.llavaNext(TILE, List.of(
      new Resolution(TILE, 2 * TILE), new Resolution(2 * TILE, TILE), new Resolution(2 * TILE, 2 * TILE),
      new Resolution(3 * TILE, TILE), new Resolution(TILE, 3 * TILE)));

  @Test
  void anObjectMarksEveryPatchItsCoreMeetsInTheWholeImageAndInTheGrid() {
    // 128 x 64 picks the 64 x 128 grid: two tiles side by side, no padding, the grid at the image's own scale
    SceneObject right = new SceneObject(ShapeKind.TRIANGLE, ShapeColor.BLUE, Region.RIGHT, 100, 30, 18, 0,
        0x2040E0, 0);
    Scene scene = new Scene(128, 64, Background.plain(Background.Kind.PLAIN_LIGHT, 0xF0F0F0), List.of(right));
    PatchTargets.Targets t = PatchTargets.of(scene, CONFIG, PATCH);
    assertEquals(3 * 16, t.kinds().length, "whole image + 2 grid tiles, 4 x 4 patches each");
    int label = PatchTargets.classOf(ShapeKind.TRIANGLE, ShapeColor.BLUE);
    int[] kinds = new int[48];
    int[] regions = new int[48];
    java.util.Arrays.fill(regions, 16, 48, PatchTargets.IGNORED);
    // whole image squashed to 64 x 64: centre (50, 30), core semi-axes 5.4 x 10.8 (0.6 * 18 * 64/128, 64/64):
    // x 44.6..55.4 meets columns 2 and 3, y 19.2..40.8 rows 1 and 2
    for (int row : new int[] {1, 2}) {
      for (int column : new int[] {2, 3}) {
        kinds[row * 4 + column] = label;
        regions[row * 4 + column] = 1 + Region.RIGHT.ordinal();
      }
    }
    // grid tile 2 (the right one) at scale 1: local centre (36, 30), core radius 10.8: x 25.2..46.8 meets
    // columns 1 and 2, y 19.2..40.8 rows 1 and 2; the left tile is untouched
    for (int row : new int[] {1, 2}) {
      for (int column : new int[] {1, 2}) {
        kinds[32 + row * 4 + column] = label;
      }
    }
    assertArrayEquals(kinds, t.kinds());
    assertArrayEquals(regions, t.regions(), "regions only on the whole-image tile");
  }

  @Test
  void markedPatchesShowTheirObjectInTheProcessedPixels() {
    LlavaImageProcessor processor = new LlavaImageProcessor(CONFIG, PATCH, FeatureSelectStrategy.DEFAULT);
    SplittableRandom random = new SplittableRandom(7);
    int checked = 0;
    int showing = 0;
    for (int i = 0; i < 40; i++) {
      Scene scene = SceneSampler.sample(random);
      PixelValues px = processor.process(ImageDecoder.toRgb(SceneRenderer.render(scene))).pixels();
      PatchTargets.Targets t = PatchTargets.of(scene, CONFIG, PATCH);
      assertEquals(px.tiles() * 16, t.kinds().length, "one target per patch of every tile");
      for (int p = 0; p < t.kinds().length; p++) {
        int patch = p;
        int label = t.kinds()[p];
        if (label == PatchTargets.NONE) continue;
        // objects of one class differ in shade: some object of the patch's class shows its fill colour there
        if (scene.objects().stream().anyMatch(o -> PatchTargets.classOf(o.shape(), o.color()) == label
            && patchHasColour(px, patch, o.rgb()))) {
          showing++;
        }
        checked++;
      }
    }
    assertTrue(checked > 300, "checked " + checked + " marked patches");
    // the core (0.6 of the bounding radius) reaches up to 0.1 r past a triangle's sides, and outlines are darker:
    // a patch that only grazes there may show no fill pixel; anything more points at misaligned targets
    assertTrue(showing >= 0.97 * checked, showing + " of " + checked + " marked patches show their object");
  }

  @Test
  void aProcessorWithoutAnyResIsRefusedWithAReason() {
    ImageProcessorConfig clip = ImageProcessorConfig.llavaNext(TILE, List.of());
    Scene scene = SceneSampler.sample(new SplittableRandom(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PatchTargets.of(scene, clip, PATCH));
    assertTrue(e.getMessage().contains("AnyRes"), e.getMessage());
  }

  // some pixel of the patch is within 60 (of 255, per channel) of the object's fill colour
  private static boolean patchHasColour(PixelValues px, int patchIndex, int rgb) {
    int tile = patchIndex / 16;
    int row = patchIndex % 16 / 4;
    int column = patchIndex % 4;
    int plane = TILE * TILE;
    for (int y = row * PATCH; y < (row + 1) * PATCH; y++) {
      for (int x = column * PATCH; x < (column + 1) * PATCH; x++) {
        boolean close = true;
        for (int c = 0; c < 3; c++) {
          float v = px.data()[tile * px.tileLength() + c * plane + y * TILE + x];
          double value = (v * CONFIG.imageStd()[c] + CONFIG.imageMean()[c]) * 255;
          int expected = (rgb >> (16 - 8 * c)) & 0xFF;
          if (Math.abs(value - expected) > 60) close = false;
        }
        if (close) return true;
      }
    }
    return false;
  }
}
