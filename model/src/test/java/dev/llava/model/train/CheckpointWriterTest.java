package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.llava.model.Fixtures;
import dev.llava.model.checkpoint.CheckpointLoader;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.checkpoint.LlavaWeights.KeyLayout;
import dev.llava.model.io.SafetensorsReader;
import dev.llava.model.nn.KvCache;
import dev.llava.model.nn.LlavaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Saved checkpoints load back (LlavaModel.load) with the HF key names and the exact same logits. */
class CheckpointWriterTest {
  @TempDir
  Path tmp;

  static Stream<Path> fixtures() {
    return Stream.of(Fixtures.llava15(), Fixtures.llavaNext());
  }

  /** Changed weights (every tensor shifted) written and reloaded give the in-memory model's logits exactly. */
  @ParameterizedTest
  @MethodSource("fixtures")
  void savedCheckpointReloadsWithIdenticalLogits(Path source) throws Exception {
    Path out = tmp.resolve(source.getFileName());
    EncodedSample sample = TrainingForwardTest.fixtureSample(source, null);
    long[] ids = Arrays.copyOf(sample.inputIds(), sample.inputIds().length);
    float[] expected;
    try (NDManager root = NDManager.newBaseManager()) {
      LlavaWeights weights = CheckpointLoader.load(source, root);
      int k = 0;
      for (TrainableParameters.Parameter p : TrainableParameters.of(weights).all()) {
        p.array().addi(0.001f * (++k % 7)); // stand-in for training: every tensor differs from the source
      }
      CheckpointWriter.write(weights, source, out);
      try (LlavaModel inMemory = new LlavaModel(weights)) {
        expected = logits(inMemory, ids, source);
      }
    }
    try (LlavaModel reloaded = LlavaModel.load(out)) {
      assertArrayEquals(expected, logits(reloaded, ids, source), 0f, "reloaded logits");
    }
    try (SafetensorsReader src = SafetensorsReader.open(source); SafetensorsReader dst = SafetensorsReader.open(out)) {
      assertEquals(src.keys(), dst.keys(), "the same HF tensor names (classic layout), q/k/v and gate/up split");
      for (String key : src.keys()) assertArrayEquals(src.info(key).shape(), dst.info(key).shape(), key);
      assertTrue(dst.keys().contains(KeyLayout.CLASSIC.textLayer(0, LlavaWeights.K_PROJ + LlavaWeights.WEIGHT)));
    }
    assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
    assertFalse(Files.exists(out.resolve(SafetensorsReader.INDEX_FILE)));
    for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
        "preprocessor_config.json", "generation_config.json")) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
  }

  private static float[] logits(LlavaModel model, long[] ids, Path source) throws Exception {
    try (NDManager m = NDManager.newBaseManager(); KvCache cache = model.newCache(ids.length)) {
      var px = TrainingForwardTest.fixturePixels(source);
      var layout = TrainingForwardTest.fixtureSample(source, null).layout();
      var packed = model.projectAndPack(model.encodeImages(m.create(px.data(), new ai.djl.ndarray.types.Shape(px.shape()))),
          List.of(layout));
      return model.prefill(model.embedWithImages(ids, packed, m), cache, true).toFloatArray();
    }
  }

  @Test
  void renamesTheNewerKeyLayoutToClassic() {
    KeyLayout in = KeyLayout.MODEL_PREFIXED;
    assertEquals("language_model.model.layers.0.mlp.up_proj.weight",
        CheckpointWriter.rename("model.language_model.layers.0.mlp.up_proj.weight", in));
    assertEquals("language_model.lm_head.weight", CheckpointWriter.rename("lm_head.weight", in));
    assertEquals("vision_tower.vision_model.post_layernorm.weight",
        CheckpointWriter.rename("model.vision_tower.vision_model.post_layernorm.weight", in));
    assertEquals("image_newline", CheckpointWriter.rename("model.image_newline", in));
    assertEquals("multi_modal_projector.linear_1.bias",
        CheckpointWriter.rename("model.multi_modal_projector.linear_1.bias", in));
  }
}
