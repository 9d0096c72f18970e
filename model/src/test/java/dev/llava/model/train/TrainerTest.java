package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.io.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer end to end on a tiny fresh model: learning, outputs, resume, freezing, cancellation, memory. */
class TrainerTest {
  @TempDir
  Path tmp;

  /** Collects every step's loss. */
  static final class Recorder implements TrainingListener {
    final List<Double> losses = new ArrayList<>();
    final List<String> logs = new ArrayList<>();
    Path checkpoint;

    @Override
    public void onStep(TrainingProgress p) {
      losses.add(p.loss());
    }

    @Override
    public void onLog(String message) {
      logs.add(message);
    }

    @Override
    public void onCheckpoint(Path dir, int step) {
      checkpoint = dir;
    }
  }

  @Test
  void lossDecreasesAndTheOutputIsACompleteCheckpoint() throws Exception {
    Path out = tmp.resolve("run");
    Recorder r = new Recorder();
    TrainingResult result = new LlavaTrainer().run(TinyFixture.spec(out, 24).learningRate(5e-3).build(), r, () -> false);
    System.out.println("losses " + r.losses);
    assertEquals(24, result.steps());
    assertFalse(result.cancelled());
    assertEquals(out, result.checkpointDir());
    assertEquals(out, r.checkpoint);
    double first = r.losses.subList(0, 4).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = r.losses.subList(20, 24).stream().mapToDouble(d -> d).average().orElseThrow();
    assertTrue(last < 0.7 * first, "loss should fall: first steps " + first + ", last steps " + last);
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
        "special_tokens_map.json", "preprocessor_config.json", "generation_config.json", "processor_config.json",
        TrainerState.FILE, TrainerState.OPTIMIZER_FILE, MetricsLog.FILE, LossPlot.FILE)) {
      assertTrue(Files.isRegularFile(out.resolve(f)), "missing " + f);
    }
    assertFalse(Files.exists(out.resolve(".init")));
    assertEquals(24, Files.readAllLines(out.resolve(MetricsLog.FILE)).size());
    assertTrue(Files.readString(out.resolve(LossPlot.FILE)).startsWith("<svg"));
    TrainerState state = TrainerState.read(out);
    assertEquals(24, state.globalStep());
    assertEquals(r.losses.get(23), state.lastLoss(), 1e-12);
  }

  /** N steps straight and N/2 + cancel + resume N/2 follow the same loss curve. */
  @Test
  void resumeContinuesTheSameLossCurve() throws Exception {
    int n = 6;
    Recorder straight = new Recorder();
    new LlavaTrainer().run(TinyFixture.spec(tmp.resolve("straight"), n).build(), straight, () -> false);

    Recorder first = new Recorder();
    Path half = tmp.resolve("half");
    TrainingResult cancelled = new LlavaTrainer().run(TinyFixture.spec(half, n).build(), first,
        () -> first.losses.size() >= n / 2);
    assertTrue(cancelled.cancelled());
    assertEquals(n / 2, cancelled.steps());
    assertEquals(half, cancelled.checkpointDir());

    Recorder second = new Recorder();
    TrainingResult resumed = new LlavaTrainer().run(
        TinyFixture.spec(tmp.resolve("resumed"), n).resumeFrom(half).build(), second, () -> false);
    assertEquals(n, resumed.steps());
    List<Double> joined = new ArrayList<>(first.losses);
    joined.addAll(second.losses);
    System.out.println("straight " + straight.losses + "\nresumed  " + joined);
    assertEquals(n, joined.size());
    for (int i = 0; i < n; i++) {
      assertEquals(straight.losses.get(i), joined.get(i), 1e-4 * Math.abs(straight.losses.get(i)), "step " + (i + 1));
    }
    assertEquals(n, MetricsLog.read(tmp.resolve("resumed"), Integer.MAX_VALUE).size(), "metrics keep the history");
  }

  /** Stage-1 style (projector only): the vision tower and the LLM come out bit-identical. */
  @Test
  void frozenPartsStayBitIdentical() throws Exception {
    Path out = tmp.resolve("frozen");
    new LlavaTrainer().run(TinyFixture.spec(out, 3).trainVision(false).trainLanguageModel(false).build(),
        new Recorder(), () -> false);
    int changed = 0;
    try (SafetensorsReader before = SafetensorsReader.open(TinyFixture.model());
        SafetensorsReader after = SafetensorsReader.open(out)) {
      assertEquals(before.keys(), after.keys());
      for (String key : before.keys()) {
        float[] a = before.readFloats(key);
        float[] b = after.readFloats(key);
        if (key.startsWith("multi_modal_projector.") || key.equals("image_newline")) {
          if (!java.util.Arrays.equals(a, b)) changed++;
        } else {
          assertArrayEquals(a, b, 0f, key + " is frozen but changed");
        }
      }
    }
    assertTrue(changed >= 4, "the projector trained (" + changed + " tensors changed)");
  }

  @Test
  void cancelledBeforeTheFirstStepWritesNothing() throws Exception {
    Path out = tmp.resolve("never");
    TrainingResult r = new LlavaTrainer().run(TinyFixture.spec(out, 3).build(), new Recorder(), () -> true);
    assertTrue(r.cancelled());
    assertNull(r.checkpointDir());
    assertEquals(0, r.steps());
    assertFalse(Files.exists(out.resolve("model.safetensors")));
  }

  /**
   * A long run keeps a constant number of live native arrays and does not grow its resident memory. (RSS is
   * compared after the first 80 steps: until then the JVM is still touching its young generation for the first
   * time, which shows up as growth that stops.)
   */
  @Test
  void nativeMemoryIsScopedPerStep() throws Exception {
    int steps = 160;
    AtomicInteger earlyArrays = new AtomicInteger(-1);
    long[] rss = new long[2];
    List<Integer> counts = new ArrayList<>();
    LlavaTrainer trainer = new LlavaTrainer((step, root) -> {
      int arrays = root.getManagedArrays().size();
      counts.add(arrays);
      if (step == 10) earlyArrays.set(arrays);
      if (step == 80) rss[0] = nativeResidentBytes();
      if (step == steps) rss[1] = nativeResidentBytes();
    });
    trainer.run(TinyFixture.spec(tmp.resolve("long"), steps).globalBatchSize(1).microBatchSize(1).build(),
        new Recorder(), () -> false);
    System.out.printf("live arrays %d -> %d, RSS %.1f -> %.1f MiB%n", earlyArrays.get(), counts.get(steps - 1),
        rss[0] / 1048576.0, rss[1] / 1048576.0);
    assertTrue(counts.subList(10, steps).stream().allMatch(c -> c == earlyArrays.get()),
        "live native arrays changed over the run: " + counts.subList(9, steps));
    assertTrue(rss[1] - rss[0] < 32L << 20, "native RSS grew by " + ((rss[1] - rss[0]) >> 20) + " MiB over "
        + (steps - 80) + " steps");
  }

  /**
   * Resident memory outside the JVM's own heap and non-heap pools: what native (DJL/PyTorch) allocations hold.
   * Plain RSS also grows while the JVM commits more heap, which says nothing about native leaks.
   */
  private static long nativeResidentBytes() {
    var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
    return residentBytes() - memory.getHeapMemoryUsage().getCommitted()
        - memory.getNonHeapMemoryUsage().getCommitted();
  }

  private static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    } catch (IOException e) {
      // not Linux: fall through
    }
    return 0;
  }
}
