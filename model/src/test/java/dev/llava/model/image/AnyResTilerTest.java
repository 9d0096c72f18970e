package dev.llava.model.image;

import dev.llava.model.config.FeatureSelectStrategy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * AnyRes canvases and base images; CRCs from Pillow running the LlavaNextImageProcessor steps
 * (select_best_resolution, get_patch_output_size, BICUBIC resize, divmod black padding).
 */
class AnyResTilerTest {
  private static final ImageProcessorConfig NEXT =
      ImageProcessorConfig.llavaNext(336, ImageProcessorConfig.DEFAULT_PINPOINTS);
  private final AnyResTiler tiler = new AnyResTiler(NEXT);

  private static long crc(RgbImage image) {
    CRC32 crc = new CRC32();
    crc.update(image.pixels());
    return crc.getValue();
  }

  @Test
  void oddPaddingPutsTheExtraPixelRight() {
    RgbImage image = PilBicubicResizerTest.pattern(67, 45);
    assertEquals(new Resolution(336, 501), AnyResGeometry.resizedSize(45, 67, new Resolution(336, 672)));
    assertArrayEquals(new int[] {0, 85}, AnyResGeometry.padOffset(new Resolution(336, 501), new Resolution(336, 672)));
    RgbImage canvas = tiler.resizeAndPad(image);
    assertEquals(400457850L, crc(canvas));
    assertEquals(0, canvas.get(84, 100, 1)); // last padded column on the left
    assertEquals(0, canvas.get(586, 100, 1)); // first of the 86 padded columns on the right
    assertEquals(4218389647L, crc(tiler.baseImage(image)));
  }

  @Test
  void matchesPillowForWideAndTallImages() {
    RgbImage wide = PilBicubicResizerTest.pattern(1000, 333);
    assertEquals(2143114544L, crc(tiler.resizeAndPad(wide))); // exactly [336, 1008], no padding
    assertEquals(140166794L, crc(tiler.baseImage(wide)));
    RgbImage tall = PilBicubicResizerTest.pattern(150, 700);
    assertEquals(3630772119L, crc(tiler.resizeAndPad(tall))); // [1008, 216] padded 60 | 60
    assertEquals(2078753434L, crc(tiler.baseImage(tall)));
  }

  @Test
  void tilesAreTheBaseThenTheCanvasRowMajor() {
    RgbImage tall = PilBicubicResizerTest.pattern(150, 700);
    List<RgbImage> tiles = tiler.tiles(tall);
    assertEquals(4, tiles.size()); // base + 3x1 grid
    RgbImage canvas = tiler.resizeAndPad(tall);
    for (int row = 0; row < 3; row++) {
      assertEquals(canvas.crop(0, row * 336, 336, 336), tiles.get(1 + row));
    }
    PixelValues pixels = tiler.process(tall);
    assertArrayEquals(new long[] {4, 3, 336, 336}, pixels.shape());
    // tile 1's top-left pixel is padding: black normalises to -mean/std per channel
    int tile = pixels.tileLength();
    int plane = 336 * 336;
    assertEquals(-1.7922626f, pixels.data()[tile]);
    assertEquals(-1.7520971f, pixels.data()[tile + plane]);
    assertEquals(-1.4802198f, pixels.data()[tile + 2 * plane]);
    assertEquals(ImageLayouts.of(700, 150, NEXT, 14, FeatureSelectStrategy.DEFAULT).numTiles(), pixels.tiles());
    assertTrue(Arrays.equals(new ClipImageProcessor(NEXT).preprocess(tiles.get(0)).data(),
        Arrays.copyOf(pixels.data(), tile)));
  }

  @Test
  void refusesConfigsWithoutPinpointsOrWithMisalignedOnes() {
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> new AnyResTiler(ImageProcessorConfig.llava15(336)));
    assertTrue(none.getMessage().contains("image_grid_pinpoints"), none.getMessage());
    IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
        () -> new AnyResTiler(ImageProcessorConfig.llavaNext(336, List.of(new Resolution(336, 700)))));
    assertTrue(odd.getMessage().contains("336") && odd.getMessage().contains("[336, 700]"), odd.getMessage());
  }
}
