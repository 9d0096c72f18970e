package dev.llava.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.llava.model.Fixtures;
import dev.llava.model.checkpoint.CheckpointLoader;
import dev.llava.model.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Long generations must not accumulate NDArrays or native memory. */
class DecodeMemoryTest {
  @Test
  void twoHundredDecodeStepsKeepArrayCountAndRssFlat() throws IOException {
    long[] prompt = Npy.read(Fixtures.llavaNext().resolve("expected/input_ids.npy")).toLongs();
    try (NDManager root = NDManager.newBaseManager()) {
      LlavaModel model = new LlavaModel(CheckpointLoader.load(Fixtures.llavaNext(), root));
      long image = model.config().imageTokenIndex();
      long[] text = Arrays.stream(prompt).filter(id -> id != image).toArray();
      try (model; NDManager work = root.newSubManager(); KvCache cache = model.newCache(text.length + 256)) {
        long next;
        try (NDManager step = work.newSubManager()) {
          next = model.prefill(model.embedWithImages(text, null, step), cache, false).argMax().getLong();
        }
        long t0 = System.nanoTime();
        int arraysAtStep20 = -1;
        long rssAtStep20 = -1;
        for (int i = 0; i < 200; i++) {
          try (NDManager step = work.newSubManager(); KvCache throwaway = model.newCache(4)) {
            NDArray logits = model.decode(new long[] {next, next}, List.of(cache, throwaway), step);
            next = logits.get(0).argMax().getLong();
          }
          if (i == 20) {
            arraysAtStep20 = liveArrays(root);
            rssAtStep20 = rssKiB();
          }
        }
        System.out.printf("200 steps in %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        assertEquals(text.length + 200, cache.length());
        int arraysAtEnd = liveArrays(root);
        long rssGrowthKiB = rssKiB() - rssAtStep20;
        System.out.printf("live NDArrays at step 20: %d, at step 200: %d; RSS growth %d KiB%n",
            arraysAtStep20, arraysAtEnd, rssGrowthKiB);
        // Every step also created and dropped a throwaway cache: it must be gone too.
        assertTrue(arraysAtEnd <= arraysAtStep20, "NDArrays grew from " + arraysAtStep20 + " to " + arraysAtEnd);
        assertTrue(rssGrowthKiB < 64 * 1024, "RSS grew by " + rssGrowthKiB + " KiB over 180 decode steps");
      }
    }
  }

  private static int liveArrays(NDManager m) {
    return ((BaseNDManager) m).getManagedArrays().size();
  }

  private static long rssKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
