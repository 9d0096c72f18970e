package dev.llava.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metrics.jsonl}: one JSON object per optimizer step
 * ({@code {"step","total_steps","epoch","loss","learning_rate","grad_norm","samples_per_second","tokens",
 * "elapsed_ms"}}), flushed as it is written so a crashed or cancelled run keeps its curve.
 */
public final class MetricsLog implements AutoCloseable {
  public static final String FILE = "metrics.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One line of the log. */
  public record Entry(int step, int totalSteps, double epoch, double loss, double learningRate, double gradNorm,
      double samplesPerSecond, long tokens, long elapsedMillis) {

    ObjectNode toJson() {
      ObjectNode o = JSON.createObjectNode();
      o.put("step", step);
      o.put("total_steps", totalSteps);
      o.put("epoch", Math.round(epoch * 1e4) / 1e4);
      o.put("loss", loss);
      o.put("learning_rate", learningRate);
      o.put("grad_norm", gradNorm);
      o.put("samples_per_second", Math.round(samplesPerSecond * 100) / 100.0);
      o.put("tokens", tokens);
      o.put("elapsed_ms", elapsedMillis);
      return o;
    }

    static Entry fromJson(JsonNode o) {
      return new Entry(o.path("step").asInt(), o.path("total_steps").asInt(), o.path("epoch").asDouble(),
          o.path("loss").asDouble(), o.path("learning_rate").asDouble(), o.path("grad_norm").asDouble(),
          o.path("samples_per_second").asDouble(), o.path("tokens").asLong(), o.path("elapsed_ms").asLong());
    }
  }

  private final BufferedWriter out;
  private final List<Entry> entries;

  private MetricsLog(BufferedWriter out, List<Entry> entries) {
    this.out = out;
    this.entries = entries;
  }

  /** Starts {@code dir/metrics.jsonl} afresh, keeping {@code history} (a resumed run's earlier steps) first. */
  public static MetricsLog create(Path dir, List<Entry> history) throws IOException {
    Files.createDirectories(dir);
    BufferedWriter w = Files.newBufferedWriter(dir.resolve(FILE), StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    MetricsLog log = new MetricsLog(w, new ArrayList<>());
    for (Entry e : history) log.append(e);
    return log;
  }

  /** The entries of an existing log up to and including {@code lastStep}; empty when there is no log. */
  public static List<Entry> read(Path dir, int lastStep) throws IOException {
    Path file = dir.resolve(FILE);
    List<Entry> out = new ArrayList<>();
    if (!Files.isRegularFile(file)) return out;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      Entry e = Entry.fromJson(JSON.readTree(line));
      if (e.step() <= lastStep) out.add(e);
    }
    return out;
  }

  public void append(Entry e) throws IOException {
    out.write(JSON.writeValueAsString(e.toJson()));
    out.newLine();
    out.flush();
    entries.add(e);
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
