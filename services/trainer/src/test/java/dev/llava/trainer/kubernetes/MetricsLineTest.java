package dev.llava.trainer.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.train.MetricsLog;
import dev.llava.model.train.TrainingProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A metrics.jsonl line, as the model module's trainer writes it, read back as the step a local run reports. */
class MetricsLineTest {

  @Test
  void aLineAsTheTrainersMetricsLogWritesItIsThatStep(@TempDir Path dir) throws IOException {
    try (MetricsLog log = MetricsLog.create(dir, List.of())) {
      log.append(new MetricsLog.Entry(7, 40, 0.175, 1.875, 2e-5, 0.5, 12.25, 9000, 3500));
      log.append(new MetricsLog.Entry(8, 40, 0.2, Double.NaN, 2e-5, 0.5, 12.25, 9100, 3600));
    }
    List<String> lines = Files.readAllLines(dir.resolve(MetricsLog.FILE));
    assertEquals(new TrainingProgress(7, 40, 1.875, 2e-5, 12.25, 0.5, 3500), MetricsLine.parse(lines.get(0)));
    assertTrue(Double.isNaN(MetricsLine.parse(lines.get(1)).loss()), "a diverged step is still a step");
  }

  @Test
  void onlyTheStepAndItsLossAreRequired() {
    assertEquals(new TrainingProgress(3, 0, 2.5, 0, 0, 0, 0), MetricsLine.parse("{\"step\":3,\"loss\":2.5}"));
  }

  @Test
  void whatIsNotAMetricsObjectIsRejectedSaying() {
    assertEquals("not a JSON object", assertThrows(IllegalArgumentException.class,
        () -> MetricsLine.parse("[1, 2]")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MetricsLine.parse("{\"step\":3,"))
        .getMessage().startsWith("not JSON"));
    assertEquals("no step (a non-negative integer)", assertThrows(IllegalArgumentException.class,
        () -> MetricsLine.parse("{\"step\":\"three\",\"loss\":1}")).getMessage());
    assertEquals("no loss", assertThrows(IllegalArgumentException.class,
        () -> MetricsLine.parse("{\"step\":3,\"loss\":\"low\"}")).getMessage());
  }
}
