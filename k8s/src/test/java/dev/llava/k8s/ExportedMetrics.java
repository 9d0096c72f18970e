package dev.llava.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The metric names a service really exports: its tests dump their {@code /q/metrics} output (Prometheus text
 * format) to {@code services/<name>/target/metrics/metrics.prom} (docs/METRICS.md). Sample names only, so a
 * histogram {@code x} shows up as {@code x_bucket}, {@code x_count}, {@code x_sum}.
 */
final class ExportedMetrics {
  private ExportedMetrics() {}

  static Path file(String service) {
    return Paths.serviceDir(service).resolve("target/metrics/metrics.prom");
  }

  static Set<String> of(String service) {
    Path file = file(service);
    if (!Files.isRegularFile(file)) {
      throw new AssertionError(Paths.repoDir().relativize(file) + " is missing. The " + service + " service's tests"
          + " write their real /q/metrics output there (docs/METRICS.md), and the k8s tests check every metric a"
          + " scaler queries against it: run ./mvnw verify from the repository root so the services' tests run"
          + " before the k8s module.");
    }
    Set<String> names = new TreeSet<>();
    try {
      for (String line : Files.readAllLines(file)) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        int end = 0;
        while (end < l.length() && l.charAt(end) != '{' && !Character.isWhitespace(l.charAt(end))) {
          end++;
        }
        names.add(l.substring(0, end));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (names.isEmpty()) {
      throw new AssertionError(Paths.repoDir().relativize(file) + " has no samples: expected the " + service
          + " service's /q/metrics output");
    }
    return names;
  }
}
