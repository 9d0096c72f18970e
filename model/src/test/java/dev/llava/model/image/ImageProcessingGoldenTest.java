package dev.llava.model.image;

import dev.llava.model.config.FeatureSelectStrategy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llava.model.Fixtures;
import dev.llava.model.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Pixel-exact comparison with the reference processors' outputs (PIL 9.4 BICUBIC) in shared/fixtures. */
class ImageProcessingGoldenTest {
  private final ImageDecoder decoder = new ImageDecoder();

  @Test
  void clipProcessorReproducesLlava15PixelValuesExactly() throws IOException {
    Path dir = Fixtures.llava15();
    ImageProcessorConfig config = ImageProcessorConfig.load(dir.resolve("preprocessor_config.json"));
    RgbImage image = decoder.decode(dir.resolve("expected/image_0.png"));
    assertEquals(517, image.width());
    assertEquals(301, image.height());
    ClipImageProcessor clip = new ClipImageProcessor(config);

    RgbImage cropped = clip.resizeAndCrop(image);
    RgbImage expectedCrop = decoder.decode(dir.resolve("expected/debug_image_0_resized_cropped.png"));
    assertImagesEqual(expectedCrop, cropped);

    PixelValues pixels = clip.preprocess(image);
    Npy.Array expected = Npy.read(dir.resolve("expected/pixel_values.npy"));
    assertArrayEquals(expected.shape(), pixels.shape());
    assertArrayEquals(expected.toFloats(), pixels.data()); // exact, float by float
  }

  @Test
  void anyResTilerReproducesLlavaNextPixelValuesExactly() throws IOException {
    Path dir = Fixtures.llavaNext();
    ImageProcessorConfig config = ImageProcessorConfig.load(dir.resolve("preprocessor_config.json"));
    RgbImage image = decoder.decode(dir.resolve("expected/image_0.png"));
    assertEquals(1001, image.width());
    assertEquals(699, image.height());
    AnyResTiler tiler = new AnyResTiler(config);

    assertEquals(new Resolution(672, 672), tiler.bestResolution(699, 1001));
    assertEquals(new Resolution(470, 672), AnyResGeometry.resizedSize(699, 1001, new Resolution(672, 672)));
    assertArrayEquals(new int[] {101, 0}, AnyResGeometry.padOffset(new Resolution(470, 672), new Resolution(672, 672)));

    assertImagesEqual(decoder.decode(dir.resolve("expected/debug_image_0_resized_padded.png")),
        tiler.resizeAndPad(image));
    assertImagesEqual(decoder.decode(dir.resolve("expected/debug_image_0_base_resized.png")),
        tiler.baseImage(image));

    PixelValues pixels = tiler.process(image);
    Npy.Array expected = Npy.read(dir.resolve("expected/pixel_values.npy"));
    assertArrayEquals(expected.shape(), pixels.shape());
    assertArrayEquals(expected.toFloats(), pixels.data());
  }

  @Test
  void llavaImageProcessorPairsPixelsWithTheFixtureLayout() throws IOException {
    Path dir = Fixtures.llavaNext();
    ImageProcessorConfig config = ImageProcessorConfig.load(dir.resolve("preprocessor_config.json"));
    LlavaImageProcessor processor = new LlavaImageProcessor(config, 14, FeatureSelectStrategy.DEFAULT);
    ProcessedImage processed = processor.process(decoder.decode(dir.resolve("expected/image_0.png")));
    ImageLayout layout = processed.layout();
    assertEquals(2242, layout.imageTokens());
    assertEquals(5, processed.pixels().tiles());
    assertEquals(34, layout.unpaddedRows());
    assertEquals(48, layout.unpaddedCols());
    assertEquals(7, layout.rowOffset()); // (48 - floor(699 * 48 / 1001) = 33) // 2

    Path llava = Fixtures.llava15();
    LlavaImageProcessor clip = new LlavaImageProcessor(
        ImageProcessorConfig.load(llava.resolve("preprocessor_config.json")), 14, FeatureSelectStrategy.DEFAULT);
    ProcessedImage one = clip.process(decoder.decode(llava.resolve("expected/image_0.png")));
    assertEquals(576, one.layout().imageTokens());
    assertEquals(1, one.pixels().tiles());
    assertArrayEquals(Npy.read(llava.resolve("expected/pixel_values.npy")).toFloats(), one.pixels().data());
  }

  static void assertImagesEqual(RgbImage expected, RgbImage actual) {
    assertEquals(expected.width(), actual.width(), "width");
    assertEquals(expected.height(), actual.height(), "height");
    byte[] e = expected.pixels();
    byte[] a = actual.pixels();
    int diffs = 0;
    int first = -1;
    int maxDiff = 0;
    for (int i = 0; i < e.length; i++) {
      int d = Math.abs((e[i] & 0xff) - (a[i] & 0xff));
      if (d != 0) {
        diffs++;
        maxDiff = Math.max(maxDiff, d);
        if (first < 0) {
          first = i;
        }
      }
    }
    if (diffs > 0) {
      int px = first / 3;
      throw new AssertionError(diffs + " of " + e.length + " bytes differ (max " + maxDiff + "), first at x="
          + px % expected.width() + " y=" + px / expected.width() + " c=" + first % 3 + ": expected "
          + (e[first] & 0xff) + ", got " + (a[first] & 0xff));
    }
  }
}
