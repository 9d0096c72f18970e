package dev.llava.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Saves a service's real Prometheus exposition ({@code /q/metrics}) to {@code target/metrics/metrics.prom} of the
 * module under test, so the Kubernetes tests can check that every metric an autoscaler queries is exported.
 */
public final class MetricsSnapshot {
  private MetricsSnapshot() {}

  public static Path save(String prometheusText) {
    Path file = Path.of("target", "metrics", "metrics.prom").toAbsolutePath();
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, prometheusText, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the metrics snapshot " + file, e);
    }
  }
}
