package dev.llava.model.nn;

import static dev.llava.model.nn.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.llava.model.Fixtures;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The KV cache and the batched decode step must not change the numbers: cached steps equal a
 * full recompute, and sequences decoded together equal the same sequences decoded alone.
 */
class DecodeConsistencyTest {
  record Case(String name, Path dir, ImageLayout layout) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("tiny-llava-1.5", Fixtures.llava15(), FixtureLayouts.LLAVA_15),
        new Case("tiny-llava-next", Fixtures.llavaNext(), FixtureLayouts.LLAVA_NEXT));
  }

  private static NDArray packedImage(LlavaModel model, Case c, NDManager m) throws IOException {
    Npy.Array px = Npy.read(c.dir().resolve("expected/pixel_values.npy"));
    NDArray pixels = m.create(px.toFloats(), new Shape(px.shape()));
    return model.projectAndPack(model.encodeImages(pixels), List.of(c.layout()));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void cachedDecodeStepsEqualFullRecompute(Case c) throws IOException {
    long[] prompt = Npy.read(c.dir().resolve("expected/input_ids.npy")).toLongs();
    try (LlavaModel model = LlavaModel.load(c.dir()); NDManager m = NDManager.newBaseManager();
        KvCache cache = model.newCache(8)) {
      NDArray packed = packedImage(model, c, m);
      NDArray logits = model.prefill(model.embedWithImages(prompt, packed, m), cache, false);
      long[] sequence = prompt;
      for (int step = 0; step < 5; step++) {
        long next = logits.argMax().getLong();
        sequence = LongStream.concat(Arrays.stream(sequence), LongStream.of(next)).toArray();
        logits = model.decode(new long[] {next}, List.of(cache), m); // cache grows past 8: exercises reserve()
        try (KvCache fresh = model.newCache(sequence.length)) {
          NDArray recomputed = model.prefill(model.embedWithImages(sequence, packed, m), fresh, false);
          assertClose(c + " step " + step + " cached vs uncached logits", recomputed.toFloatArray(), logits.toFloatArray(), 1e-4);
        }
        assertEquals(sequence.length, cache.length());
      }
    }
  }

  /** 3 sequences, and 9 (enough rows for Linear's skinny-GEMM route). */
  static Stream<org.junit.jupiter.params.provider.Arguments> batches() {
    return cases().flatMap(c -> Stream.of(3, 9).map(n -> org.junit.jupiter.params.provider.Arguments.of(c, n)));
  }

  @ParameterizedTest
  @MethodSource("batches")
  void batchedDecodeOfDifferentLengthsEqualsDecodingAlone(Case c, int sequences) throws IOException {
    long[] prompt = Npy.read(c.dir().resolve("expected/input_ids.npy")).toLongs();
    try (LlavaModel model = LlavaModel.load(c.dir()); NDManager m = NDManager.newBaseManager()) {
      long image = model.config().imageTokenIndex();
      long[] textOnly = Arrays.stream(prompt).filter(id -> id != image).toArray();
      // Sequences of different lengths: the image prompt, its text, and prefixes of the text.
      List<long[]> prompts = new ArrayList<>(List.of(prompt, textOnly));
      int[] prefixes = {10, 17, 5, 23, 12, 8, 19};
      for (int i = 0; prompts.size() < sequences; i++) prompts.add(Arrays.copyOf(textOnly, prefixes[i]));
      NDArray packed = packedImage(model, c, m);
      List<KvCache> together = new ArrayList<>();
      List<KvCache> alone = new ArrayList<>();
      long[] next = new long[prompts.size()];
      for (int i = 0; i < prompts.size(); i++) {
        NDArray rows = i == 0 ? packed : null;
        together.add(model.newCache(16));
        alone.add(model.newCache(16));
        NDArray embeds = model.embedWithImages(prompts.get(i), rows, m);
        model.prefill(embeds, together.get(i), false);
        next[i] = model.prefill(embeds, alone.get(i), false).argMax().getLong();
      }
      for (int step = 0; step < 4; step++) {
        NDArray batched = model.decode(next, together, m); // [sequences, vocab]
        assertEquals(new Shape(sequences, model.config().textConfig().vocabSize()), batched.getShape());
        for (int i = 0; i < prompts.size(); i++) {
          NDArray single = model.decode(new long[] {next[i]}, List.of(alone.get(i)), m);
          NDArray row = batched.get(new NDIndex().addSliceDim(i, i + 1));
          assertClose(c + " step " + step + " sequence " + i, single.toFloatArray(), row.toFloatArray(), 1e-4);
          next[i] = single.argMax().getLong();
        }
      }
      for (int i = 0; i < prompts.size(); i++) {
        assertEquals(prompts.get(i).length + 4, together.get(i).length());
        together.get(i).close();
        alone.get(i).close();
      }
    }
  }
}
