package dev.llava.engine.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.GenerateRequest;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Thousands of short requests (some with an image) through gRPC, the batcher and the model must leave native
 * memory where it was. Measured two ways after a warm-up: (1) live NDArrays in the whole process — every
 * base manager is a child of DJL's system manager, so its recursive {@code getManagedArrays()} sees each
 * sequence's embeddings and KV cache until they are closed — must return exactly to the warm-up count;
 * (2) VmRSS from /proc/self/status may grow by at most 48 MiB (a leaked KV cache of one of these ~30-600 token
 * sequences is 30-600 KiB, so a per-request leak over 2000 requests would show as 100+ MiB). The test first
 * checks that the array count does see a new base manager's arrays and a new KV cache.
 */
class NativeMemoryTest {
  private static final int WARM_UP = 300;
  private static final int REQUESTS = 2000;
  private static final int IN_FLIGHT = 16;

  @Test
  void thousandsOfShortRequestsKeepLiveArraysAndRssFlat() throws Exception {
    try (InProcessGenerator server = new InProcessGenerator(LmFixtures.llava15(),
        LmEngineConfig.defaults(TestPrompts.MODEL))) {
      TestPrompts.Image image = TestPrompts.randomImage(server.engine.runtime(), 336, 336, 1);
      run(server, WARM_UP, image);
      server.awaitIdle();
      assertArrayCountSeesNewNativeMemory(server);
      System.gc();
      int arraysBefore = liveArrays();
      long rssBefore = rssKiB();

      long t0 = System.nanoTime();
      run(server, REQUESTS, image);
      double seconds = (System.nanoTime() - t0) / 1e9;
      server.awaitIdle();
      System.gc();
      int arraysAfter = liveArrays();
      long rssGrowth = rssKiB() - rssBefore;
      System.out.printf("%d requests in %.1f s (%.0f/s); live NDArrays %d -> %d; VmRSS %d KiB -> %+d KiB%n",
          REQUESTS, seconds, REQUESTS / seconds, arraysBefore, arraysAfter, rssBefore, rssGrowth);

      server.awaitIdle();
      assertEquals(arraysBefore, arraysAfter, "live NDArrays after " + REQUESTS + " requests");
      assertTrue(rssGrowth < 48 * 1024, "VmRSS grew by " + rssGrowth + " KiB over " + REQUESTS + " requests");
    }
  }

  /** {@code count} requests, at most {@link #IN_FLIGHT} at a time, every 20th with an image; all must succeed. */
  private static void run(InProcessGenerator server, int count, TestPrompts.Image image) throws Exception {
    Semaphore slots = new Semaphore(IN_FLIGHT);
    AtomicInteger ok = new AtomicInteger();
    AtomicReference<Status> firstError = new AtomicReference<>();
    for (int i = 0; i < count; i++) {
      slots.acquire();
      List<TestPrompts.Image> images = i % 20 == 0 ? List.of(image) : List.of();
      GenerateRequest r = TestPrompts.request("Question number " + i + ": what now?", images, 1 + i % 3, false,
          DType.FLOAT16);
      StreamResult s = new StreamResult();
      s.done.whenComplete((status, e) -> {
        if (status != null && status.isOk()) {
          ok.incrementAndGet();
        } else {
          firstError.compareAndSet(null, status);
        }
        slots.release();
      });
      server.async().generate(r, s);
    }
    assertTrue(slots.tryAcquire(IN_FLIGHT, 60, TimeUnit.SECONDS), "requests did not finish");
    assertEquals(count, ok.get(), "failed: " + firstError.get());
  }

  private static void assertArrayCountSeesNewNativeMemory(InProcessGenerator server) {
    int base = liveArrays();
    try (NDManager m = NDManager.newBaseManager()) {
      m.zeros(new ai.djl.ndarray.types.Shape(4));
      assertEquals(base + 1, liveArrays(), "an array of a new base manager is counted");
    }
    try (var cache = server.engine.runtime().model().newCache(8)) { // the scheduler is idle: safe on this thread
      assertTrue(liveArrays() > base, "a new KV cache is counted");
    }
    assertEquals(base, liveArrays());
  }

  private static int liveArrays() {
    try (NDManager probe = NDManager.newBaseManager()) { // its parent is the engine's system manager
      return ((BaseNDManager) probe.getParentManager()).getManagedArrays().size();
    }
  }

  private static long rssKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
