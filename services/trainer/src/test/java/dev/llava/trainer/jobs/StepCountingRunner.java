package dev.llava.trainer.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llava.model.train.TrainingListener;
import dev.llava.model.train.TrainingProgress;
import dev.llava.model.train.TrainingResult;
import dev.llava.model.train.TrainingRunner;
import dev.llava.model.train.TrainingSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * Test double of the DJL trainer: does no math but behaves like a trainer to its caller. It reads the LLaVA
 * conversation JSON (a malformed file fails the run, as the real trainer would), plans
 * {@code ceil(records * epochs / global_batch)} steps (or max_steps), and for each step sleeps a little, checks
 * the cancel flag and reports a deterministic loss ({@code 4 e^(-step/10)}) and the warmup + cosine learning rate.
 * At the end it writes a marker checkpoint (config.json and a one-tensor safetensors file) to output_dir.
 *
 * <p>The service's Quarkus tests load it by name ({@code llava.trainer.runner-class}), through the same no-arg
 * constructor the real trainer is loaded by; the step time then comes from {@code -Dllava.test.step-millis}.
 */
public final class StepCountingRunner implements TrainingRunner {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every spec any instance ran, for tests that check what reached the trainer. */
  public static final List<TrainingSpec> SEEN = new CopyOnWriteArrayList<>();

  private final long stepMillis;

  public StepCountingRunner() {
    this(Long.getLong("llava.test.step-millis", 20));
  }

  public StepCountingRunner(long stepMillis) {
    this.stepMillis = stepMillis;
  }

  @Override
  public TrainingResult run(TrainingSpec spec, TrainingListener listener, BooleanSupplier cancelled)
      throws IOException, InterruptedException {
    SEEN.add(spec);
    JsonNode data = JSON.readTree(spec.dataPath().toFile());
    if (data == null || !data.isArray()) {
      throw new IOException("data_path " + spec.dataPath() + ": expected a JSON array of LLaVA conversations, found "
          + (data == null ? "nothing" : data.getNodeType()));
    }
    int records = data.size();
    listener.onLog("data: " + records + " conversations from " + spec.dataPath());
    int total = spec.maxSteps() > 0 ? spec.maxSteps()
        : Math.max(1, (int) Math.ceil((double) records * spec.epochs() / spec.globalBatchSize()));
    int warmup = (int) Math.ceil(spec.warmupRatio() * total);
    long start = System.currentTimeMillis();
    double loss = Double.NaN;
    int step = 0;
    while (step < total) {
      if (cancelled.getAsBoolean()) {
        return new TrainingResult(null, step, loss, true, 0);
      }
      Thread.sleep(stepMillis);
      step++;
      loss = 4.0 * Math.exp(-step / 10.0);
      listener.onStep(new TrainingProgress(step, total, loss, learningRate(spec.learningRate(), step, warmup, total),
          spec.globalBatchSize() * 1000.0 / Math.max(1, stepMillis), 1.0, System.currentTimeMillis() - start));
    }
    Path checkpoint = spec.outputDir();
    writeMarkerCheckpoint(checkpoint, step, loss);
    listener.onCheckpoint(checkpoint, step);
    return new TrainingResult(checkpoint, step, loss, false, 0);
  }

  /** Linear warmup, then cosine decay to 0 (the LLaVA schedule). */
  static double learningRate(double peak, int step, int warmup, int total) {
    if (step <= warmup) {
      return peak * step / Math.max(1, warmup);
    }
    double progress = (double) (step - warmup) / Math.max(1, total - warmup);
    return peak * 0.5 * (1 + Math.cos(Math.PI * progress));
  }

  private static void writeMarkerCheckpoint(Path dir, int steps, double loss) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"),
        "{\"model_type\": \"llava\", \"test_double\": \"StepCountingRunner\", \"steps\": " + steps + "}");
    // safetensors: u64 little-endian header length, JSON header, then the data (one F32: the final loss).
    byte[] header = "{\"loss\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"
        .getBytes(StandardCharsets.UTF_8);
    ByteBuffer file = ByteBuffer.allocate(8 + header.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    file.putLong(header.length).put(header).putFloat((float) loss);
    Files.write(dir.resolve("model.safetensors"), file.array());
  }
}
