package dev.llava.model.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** CLIP steps one by one; pad-mode CRCs come from Pillow running llava's expand2square + resize. */
class ClipImageProcessorTest {
  private static final ImageProcessorConfig LLAVA = ImageProcessorConfig.llava15(336);

  private static long crc(RgbImage image) {
    CRC32 crc = new CRC32();
    crc.update(image.pixels());
    return crc.getValue();
  }

  @Test
  void shortestEdgeResizeTruncatesTheLongSide() {
    ImageProcessorConfig.Size s336 = ImageProcessorConfig.Size.shortestEdge(336);
    assertEquals(new Resolution(336, 577), ClipImageProcessor.resizeTarget(301, 517, s336)); // 577.06
    assertEquals(new Resolution(577, 336), ClipImageProcessor.resizeTarget(517, 301, s336));
    assertEquals(new Resolution(336, 336), ClipImageProcessor.resizeTarget(5, 5, s336));
    assertEquals(new Resolution(336, 1008), ClipImageProcessor.resizeTarget(3, 9, s336)); // 3024 / 3 exactly
    assertEquals(new Resolution(20, 30),
        ClipImageProcessor.resizeTarget(301, 517, ImageProcessorConfig.Size.exact(20, 30)));
  }

  @Test
  void centerCropTakesTheFloorOffsetAndPadsSmallImagesWithZeros() {
    RgbImage image = PilBicubicResizerTest.pattern(7, 5);
    RgbImage crop = ClipImageProcessor.centerCrop(image, 2, 4); // top (5-2)//2 = 1, left (7-4)//2 = 1
    assertEquals(image.get(1, 1, 0), crop.get(0, 0, 0));
    assertEquals(image.get(4, 2, 2), crop.get(3, 1, 2));

    // 2x2 into 5 rows x 3 cols: ceil(3/2) = 2 zero rows above, ceil(1/2) = 1 zero column left
    RgbImage tiny = RgbImage.filled(2, 2, 9, 9, 9);
    RgbImage padded = ClipImageProcessor.centerCrop(tiny, 5, 3);
    int[] column1 = new int[5];
    for (int y = 0; y < 5; y++) {
      column1[y] = padded.get(1, y, 0);
    }
    assertArrayEquals(new int[] {0, 0, 9, 9, 0}, column1);
    assertEquals(0, padded.get(0, 2, 0));
    assertEquals(9, padded.get(2, 3, 0));
  }

  @Test
  void normalisationGivesTheKnownClipBounds() {
    ClipImageProcessor clip = new ClipImageProcessor(LLAVA);
    RgbImage two = new RgbImage(2, 1, new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
    float[] out = new float[6];
    clip.writeChw(two, out, 0);
    // CHW: [R0, R1, G0, G1, B0, B1]
    assertArrayEquals(new float[] {-1.7922626f, 1.9303361f, -1.7520971f, 2.0748837f, -1.4802198f, 2.1458969f},
        out);
  }

  @Test
  void padModeMatchesLlavaExpand2SquareThroughPillow() {
    assertArrayEquals(new int[] {122, 116, 104}, ClipImageProcessor.backgroundColour(LLAVA.imageMean()));
    ClipImageProcessor padding = new ClipImageProcessor(LLAVA, true);
    RgbImage wide = PilBicubicResizerTest.pattern(67, 45);
    assertEquals(1085836808L, crc(ClipImageProcessor.expandToSquare(wide, new int[] {122, 116, 104})));
    assertEquals(1891693886L, crc(padding.resizeAndCrop(wide)));
    RgbImage tall = PilBicubicResizerTest.pattern(45, 67);
    assertEquals(3734163238L, crc(ClipImageProcessor.expandToSquare(tall, new int[] {122, 116, 104})));
    assertEquals(4283552270L, crc(padding.resizeAndCrop(tall)));

    PixelValues pixels = padding.preprocess(wide);
    assertArrayEquals(new long[] {1, 3, 336, 336}, pixels.shape());
  }

  @Test
  void onlyBicubicIsAccepted() {
    ImageProcessorConfig nearest = ImageProcessorConfig.parse("{\"resample\": 0}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClipImageProcessor(nearest));
    assertTrue(e.getMessage().contains("resample=0"), e.getMessage());
  }
}
