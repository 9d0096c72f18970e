package dev.llava.model.nn;

import static dev.llava.model.nn.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.llava.model.Fixtures;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole forward pass against the reference fixtures (tolerances from fixtures/README.md):
 * CLIP features 1e-4, projected + packed features 1e-4, full-prompt logits 1e-3, greedy ids exact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlavaGoldenTest {
  record Case(String name, Path dir, ImageLayout layout) {
    @Override
    public String toString() {
      return name;
    }

    Npy.Array expected(String file) throws IOException {
      return Npy.read(dir.resolve("expected").resolve(file));
    }
  }

  private final Map<String, LlavaModel> models = new HashMap<>();
  private final NDManager manager = NDManager.newBaseManager();

  static Stream<Case> cases() {
    return Stream.of(
        new Case("tiny-llava-1.5", Fixtures.llava15(), FixtureLayouts.LLAVA_15),
        new Case("tiny-llava-next", Fixtures.llavaNext(), FixtureLayouts.LLAVA_NEXT));
  }

  LlavaModel model(Case c) throws IOException {
    LlavaModel m = models.get(c.name());
    if (m == null) {
      m = LlavaModel.load(c.dir());
      models.put(c.name(), m);
    }
    return m;
  }

  @AfterAll
  void close() {
    models.values().forEach(LlavaModel::close);
    manager.close();
  }

  private NDArray pixels(Case c, NDManager m) throws IOException {
    Npy.Array px = c.expected("pixel_values.npy");
    return m.create(px.toFloats(), new Shape(px.shape()));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void clipSelectedFeaturesMatchReference(Case c) throws IOException {
    Npy.Array expected = c.expected("vision_selected_features.npy");
    try (NDManager m = manager.newSubManager()) {
      NDArray features = model(c).encodeImages(pixels(c, m));
      assertArrayEquals(expected.shape(), features.getShape().getShape());
      assertClose(c + " vision_selected_features", expected.toFloats(), features.toFloatArray(), 1e-4);
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void projectedAndPackedFeaturesMatchReference(Case c) throws IOException {
    Npy.Array expected = c.expected("image_features.npy");
    Npy.Array clip = c.expected("vision_selected_features.npy");
    try (NDManager m = manager.newSubManager()) {
      // From the reference CLIP features (projector + packing alone) and end to end from pixels.
      NDArray fromReference = model(c).projectAndPack(m.create(clip.toFloats(), new Shape(clip.shape())), List.of(c.layout()));
      NDArray fromPixels = model(c).projectAndPack(model(c).encodeImages(pixels(c, m)), List.of(c.layout()));
      assertArrayEquals(expected.shape(), fromReference.getShape().getShape());
      assertClose(c + " image_features (reference CLIP input)", expected.toFloats(), fromReference.toFloatArray(), 1e-4);
      assertClose(c + " image_features (from pixels)", expected.toFloats(), fromPixels.toFloatArray(), 1e-4);
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void fullPromptLogitsMatchReference(Case c) throws IOException {
    Npy.Array expected = c.expected("logits.npy");
    long[] ids = c.expected("input_ids.npy").toLongs();
    try (NDManager m = manager.newSubManager(); KvCache cache = model(c).newCache(ids.length)) {
      NDArray packed = model(c).projectAndPack(model(c).encodeImages(pixels(c, m)), List.of(c.layout()));
      NDArray logits = model(c).prefill(model(c).embedWithImages(ids, packed, m), cache, true);
      assertEquals(new Shape(ids.length, expected.shape()[2]), logits.getShape());
      assertClose(c + " logits", expected.toFloats(), logits.toFloatArray(), 1e-3);
      assertEquals(ids.length, cache.length());
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void greedyDecodingWithKvCacheMatchesReference(Case c) throws IOException {
    long[] expected = c.expected("greedy_ids.npy").toLongs();
    long[] ids = c.expected("input_ids.npy").toLongs();
    try (NDManager m = manager.newSubManager()) {
      NDArray packed = model(c).projectAndPack(model(c).encodeImages(pixels(c, m)), List.of(c.layout()));
      assertArrayEquals(expected, model(c).greedy(ids, packed, expected.length));
    }
  }
}
