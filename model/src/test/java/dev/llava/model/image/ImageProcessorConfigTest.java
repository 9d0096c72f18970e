package dev.llava.model.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.Fixtures;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageProcessorConfigTest {

  @Test
  void readsTheFixtureConfigs() throws IOException {
    ImageProcessorConfig llava = ImageProcessorConfig.load(Fixtures.llava15().resolve("preprocessor_config.json"));
    assertEquals("CLIPImageProcessor", llava.imageProcessorType());
    assertEquals(ImageProcessorConfig.Size.shortestEdge(336), llava.size());
    assertEquals(new Resolution(336, 336), llava.cropSize());
    assertEquals(0.00392156862745098, llava.rescaleFactor());
    assertArrayEquals(ImageProcessorConfig.OPENAI_CLIP_MEAN, llava.imageMean());
    assertFalse(llava.anyRes());
    assertFalse(llava.padToSquare());

    ImageProcessorConfig next = ImageProcessorConfig.load(Fixtures.llavaNext().resolve("preprocessor_config.json"));
    assertTrue(next.anyRes());
    assertEquals(ImageProcessorConfig.DEFAULT_PINPOINTS, next.imageGridPinpoints());
    assertEquals("anyres", next.aspectRatioSetting());
  }

  @Test
  void missingFieldsTakeTransformersDefaults() {
    ImageProcessorConfig clip = ImageProcessorConfig.parse("{}");
    assertEquals(ImageProcessorConfig.Size.shortestEdge(224), clip.size());
    assertEquals(new Resolution(224, 224), clip.cropSize());
    assertTrue(clip.doResize() && clip.doCenterCrop() && clip.doRescale() && clip.doNormalize() && clip.doConvertRgb());
    assertEquals(1 / 255.0, clip.rescaleFactor());
    assertArrayEquals(ImageProcessorConfig.OPENAI_CLIP_STD, clip.imageStd());
    assertEquals(ImageProcessorConfig.PIL_BICUBIC, clip.resample());
    assertNull(clip.aspectRatioSetting());
    assertFalse(clip.anyRes());

    ImageProcessorConfig next = ImageProcessorConfig.parse("{\"image_processor_type\": \"LlavaNextImageProcessor\"}");
    assertEquals(ImageProcessorConfig.DEFAULT_PINPOINTS, next.imageGridPinpoints());
    assertEquals(ImageProcessorConfig.llava15(224), ImageProcessorConfig.parse(
        "{\"image_processor_type\": \"CLIPImageProcessor\"}"));
  }

  @Test
  void acceptsOldStyleIntegerSizesAndPadMode() {
    ImageProcessorConfig old = ImageProcessorConfig.parse(
        "{\"size\": 336, \"crop_size\": 336, \"image_aspect_ratio\": \"pad\", \"image_mean\": 0.5}");
    assertEquals(ImageProcessorConfig.Size.shortestEdge(336), old.size());
    assertEquals(new Resolution(336, 336), old.cropSize());
    assertTrue(old.padToSquare());
    assertArrayEquals(new double[] {0.5, 0.5, 0.5}, old.imageMean());
    ImageProcessorConfig exact = ImageProcessorConfig.parse("{\"size\": {\"height\": 10, \"width\": 20}}");
    assertEquals(ImageProcessorConfig.Size.exact(10, 20), exact.size());
    ImageProcessorConfig pins = ImageProcessorConfig.parse("{\"image_grid_pinpoints\": [[384, 768], [768, 384]]}");
    assertEquals(List.of(new Resolution(384, 768), new Resolution(768, 384)), pins.imageGridPinpoints());
  }

  @Test
  void malformedValuesSayWhatWasExpected() {
    assertMessage("{\"size\": {\"longest_edge\": 5}}", "size must be {\"shortest_edge\": n}");
    assertMessage("{\"image_mean\": [1, 2]}", "image_mean must be a number or 3 numbers (RGB), got [1,2]");
    assertMessage("{\"image_grid_pinpoints\": [[1, 2, 3]]}", "must be [height, width], got [1,2,3]");
    assertMessage("{\"do_resize\": \"yes\"}", "do_resize must be true or false, got \"yes\"");
    assertMessage("[1]", "must be a JSON object");
    assertMessage("{\"size\": {\"shortest_edge\": 0}}", "size.shortest_edge must be >= 1, got 0");
  }

  private static void assertMessage(String json, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageProcessorConfig.parse(json));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
