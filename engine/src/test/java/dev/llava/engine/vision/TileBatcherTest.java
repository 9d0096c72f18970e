package dev.llava.engine.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TileBatcherTest {
  // A tile is 2 floats; the "encoder" maps each tile (a, b) to features (a + b, a * b, tileIndexInBatch).
  private static float[] encodeTiles(float[] pixels, int tiles) {
    float[] out = new float[tiles * 3];
    for (int t = 0; t < tiles; t++) {
      out[3 * t] = pixels[2 * t] + pixels[2 * t + 1];
      out[3 * t + 1] = pixels[2 * t] * pixels[2 * t + 1];
      out[3 * t + 2] = tiles;
    }
    return out;
  }

  @Test
  void concurrentRequestsShareForwardPassesAndGetTheirOwnFeatures() throws Exception {
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    try (TileBatcher batcher = new TileBatcher(TileBatcherTest::encodeTiles, 2, 3, 8, Duration.ofMillis(200), 64,
        (tiles, nanos) -> batchSizes.add(tiles), "test-batcher")) {
      List<CompletableFuture<float[]>> results = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        results.add(batcher.submit(new float[] {r, 2, r, 3}, 2));
      }
      for (int r = 0; r < 4; r++) {
        float[] f = results.get(r).get(10, TimeUnit.SECONDS);
        assertArrayEquals(new float[] {r + 2, 2 * r, f[2], r + 3, 3 * r, f[5]}, f);
      }
      assertTrue(batchSizes.stream().anyMatch(n -> n > 2), "tiles of different requests batched: " + batchSizes);
    }
  }

  @Test
  void requestsLargerThanABatchAreSplitAcrossPasses() throws Exception {
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    try (TileBatcher batcher = new TileBatcher(TileBatcherTest::encodeTiles, 2, 3, 2, Duration.ofMillis(1), 64,
        (tiles, nanos) -> batchSizes.add(tiles), "test-batcher")) {
      float[] f = batcher.submit(new float[] {1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, 5).get(10, TimeUnit.SECONDS);
      for (int t = 0; t < 5; t++) {
        assertTrue(f[3 * t] == 2 * (t + 1) && f[3 * t + 1] == (t + 1) * (t + 1), "tile " + t);
      }
      assertTrue(batchSizes.stream().allMatch(n -> n <= 2), "batches bounded by 2: " + batchSizes);
    }
  }

  @Test
  void aFullQueueRejectsAtOnce() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    TileBatcher.BatchEncoder blocking = (pixels, tiles) -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new float[tiles * 3];
    };
    try (TileBatcher batcher = new TileBatcher(blocking, 2, 3, 1, Duration.ZERO, 3, (t, n) -> {}, "test-batcher")) {
      batcher.submit(new float[2], 1); // taken by the worker, which now blocks
      Thread.sleep(100);
      batcher.submit(new float[4], 2); // queued: 2 of 3
      long start = System.nanoTime();
      OverloadedException e = assertThrows(OverloadedException.class, () -> batcher.submit(new float[4], 2));
      assertTrue(System.nanoTime() - start < 50_000_000L, "rejection is immediate");
      assertTrue(e.getMessage().contains("capacity 3"), e.getMessage());
      release.countDown();
    }
  }

  @Test
  void anEncoderFailureFailsOnlyThatBatchsRequests() throws Exception {
    TileBatcher.BatchEncoder failing = (pixels, tiles) -> {
      if (pixels[0] < 0) {
        throw new IllegalStateException("bad tile");
      }
      return encodeTiles(pixels, tiles);
    };
    try (TileBatcher batcher = new TileBatcher(failing, 2, 3, 1, Duration.ZERO, 8, (t, n) -> {}, "test-batcher")) {
      CompletableFuture<float[]> bad = batcher.submit(new float[] {-1, 0}, 1);
      CompletableFuture<float[]> good = batcher.submit(new float[] {1, 2}, 1);
      assertThrows(Exception.class, () -> bad.get(10, TimeUnit.SECONDS));
      assertArrayEquals(new float[] {3, 2, 1}, good.get(10, TimeUnit.SECONDS));
    }
  }
}
