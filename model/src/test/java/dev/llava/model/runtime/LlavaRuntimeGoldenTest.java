package dev.llava.model.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llava.model.Fixtures;
import dev.llava.model.generate.FinishReason;
import dev.llava.model.generate.SamplingParams;
import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.image.ProcessedImage;
import dev.llava.model.io.Npy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The whole path a request takes — image file to generated ids — against the reference outputs. */
class LlavaRuntimeGoldenTest {

  @ParameterizedTest
  @ValueSource(strings = {"tiny-llava-1.5", "tiny-llava-next"})
  void imageFileAndPromptGiveTheReferenceInputIdsFeaturesAndGreedyTokens(String fixture) throws Exception {
    Path dir = Fixtures.root().resolve(fixture);
    Path expected = dir.resolve("expected");
    String prompt = new ObjectMapper().readTree(expected.resolve("expected.json").toFile()).get("prompt").asText();
    try (LlavaRuntime runtime = LlavaRuntime.load(dir); NDManager scope = NDManager.newBaseManager()) {
      ProcessedImage image = runtime.imageProcessor().process(new ImageDecoder().decode(expected.resolve("image_0.png")));
      List<ImageLayout> layouts = List.of(image.layout());

      long[] ids = runtime.promptIds(prompt, layouts);
      assertArrayEquals(Npy.read(expected.resolve("input_ids.npy")).toLongs(), ids);

      float[] features = runtime.encodeTiles(image.pixels().data(), image.pixels().tiles());
      NDArray packed = runtime.packFeatures(features, layouts, scope);
      float[] want = Npy.read(expected.resolve("image_features.npy")).toFloats();
      float[] got = packed.toFloatArray();
      assertEquals(want.length, got.length);
      float maxDiff = 0;
      for (int i = 0; i < want.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
      }
      assertTrue(maxDiff <= 1e-4, "image features max |diff| " + maxDiff);

      SamplingParams greedy = SamplingParams.greedy(8, runtime.stopTokenIds());
      Generation.Result result = Generation.run(runtime, ids, packed, greedy, s -> {});
      assertArrayEquals(Npy.read(expected.resolve("greedy_ids.npy")).toLongs(), result.tokenIds());
      assertEquals(FinishReason.LENGTH, result.finishReason());
      assertEquals(ids.length, result.promptTokens());
      assertEquals(image.layout().imageTokens(), result.imageTokens());
      assertEquals(runtime.tokenizer().decode(result.tokenIds(), true), result.text());
    }
  }
}
