package dev.llava.trainer.kubernetes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llava.model.train.TrainingProgress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following jobs' metrics.jsonl on one scheduler: when it reads, what it reports, what it skips. */
class MetricsFileFollowerTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir Path dir;
  private final List<TrainingProgress> reported = new CopyOnWriteArrayList<>();
  private MetricsFileFollower follower;

  @AfterEach
  void close() {
    if (follower != null) {
      follower.close();
    }
  }

  @Test
  void aFollowedJobGetsEveryStepAppendedAndSkipsLinesThatAreNoSteps() throws IOException {
    follower = new MetricsFileFollower(Duration.ofMillis(20));
    Path file = dir.resolve("metrics.jsonl");
    follower.expect("job-1", file, reported::add);
    follower.follow("job-1");
    append(file, step(1, 2.5) + "garbage\n\n" + step(2, 2.25));
    await().atMost(WAIT).until(() -> steps().equals(List.of(1, 2)));
    append(file, step(3, 2.0));
    await().atMost(WAIT).until(() -> steps().equals(List.of(1, 2, 3)));
    assertEquals(2.0, reported.get(2).loss());
    assertEquals(1e-4, reported.get(2).learningRate());
    assertEquals(12.5, reported.get(2).samplesPerSecond());
    assertEquals(10, reported.get(2).totalSteps());
  }

  @Test
  void nothingIsReadBeforeTheJobIsFollowedNorAfterItIsStopped() throws IOException {
    follower = new MetricsFileFollower(Duration.ofMillis(20));
    Path file = dir.resolve("metrics.jsonl");
    follower.expect("job-1", file, reported::add);
    append(file, step(1, 2.5));
    await().during(Duration.ofMillis(200)).atMost(WAIT).until(reported::isEmpty);

    follower.follow("job-1");
    await().atMost(WAIT).until(() -> steps().equals(List.of(1)));
    follower.stop("job-1", false);
    append(file, step(2, 2.25));
    await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> steps().equals(List.of(1)));
    follower.follow("job-1");   // stopped is stopped
    await().during(Duration.ofMillis(100)).atMost(WAIT).until(() -> steps().equals(List.of(1)));
  }

  @Test
  void stoppingWithALastReadReportsTheStepsSinceTheLastScheduledRead() throws IOException {
    follower = new MetricsFileFollower(Duration.ofHours(1));   // no scheduled read would come in time
    Path file = dir.resolve("metrics.jsonl");
    follower.expect("job-1", file, reported::add);
    append(file, step(1, 2.5) + step(2, 2.25) + "{\"step\":3,");
    follower.stop("job-1", true);
    assertEquals(List.of(1, 2), steps(), "the partial last line is no step");
  }

  @Test
  void aLogAnEarlierRunLeftIsNotReportedButTheNewRunsIs() throws IOException {
    follower = new MetricsFileFollower(Duration.ofMillis(20));
    Path file = append(dir.resolve("metrics.jsonl"), step(1, 9.0) + step(2, 8.0));
    follower.expect("job-2", file, reported::add);
    follower.follow("job-2");
    await().during(Duration.ofMillis(200)).atMost(WAIT).until(reported::isEmpty);
    Files.writeString(file, step(1, 2.5));   // the new run truncates the log as it starts
    await().atMost(WAIT).until(() -> steps().equals(List.of(1)));
    assertEquals(2.5, reported.get(0).loss());
  }

  @Test
  void jobsAreFollowedIndependently() throws IOException {
    follower = new MetricsFileFollower(Duration.ofMillis(20));
    List<TrainingProgress> other = new CopyOnWriteArrayList<>();
    Path a = Files.createDirectories(dir.resolve("a")).resolve("metrics.jsonl");
    Path b = Files.createDirectories(dir.resolve("b")).resolve("metrics.jsonl");
    follower.expect("job-a", a, reported::add);
    follower.expect("job-b", b, other::add);
    follower.follow("job-a");
    follower.follow("job-b");
    append(a, step(1, 2.5));
    append(b, step(1, 3.5) + step(2, 3.25));
    await().atMost(WAIT).until(() -> reported.size() == 1 && other.size() == 2);
    follower.stop("job-a", false);
    append(b, step(3, 3.0));
    await().atMost(WAIT).until(() -> other.size() == 3);
    assertEquals(1, reported.size());
  }

  private List<Integer> steps() {
    return reported.stream().map(TrainingProgress::step).toList();
  }

  /** A line as dev.llava.model.train.MetricsLog writes it. */
  static String step(int step, double loss) {
    return "{\"step\":" + step + ",\"total_steps\":10,\"epoch\":" + step / 10.0 + ",\"loss\":" + loss
        + ",\"learning_rate\":1.0E-4,\"grad_norm\":1.0,\"samples_per_second\":12.5,\"tokens\":100,\"elapsed_ms\":"
        + step * 10 + "}\n";
  }

  static Path append(Path file, String text) throws IOException {
    return Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
