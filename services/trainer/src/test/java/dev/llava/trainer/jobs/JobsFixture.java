package dev.llava.trainer.jobs;

import dev.llava.proto.v1.JobEvent;
import dev.llava.proto.v1.JobSpec;
import dev.llava.proto.v1.Runner;
import dev.llava.proto.v1.TrainingStage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A job service over a temporary work dir with a small LLaVA conversation file, the local runner driving a
 * {@link StepCountingRunner}, and a listener that records every event the dispatcher delivers.
 */
public final class JobsFixture implements AutoCloseable {
  /** Ten conversations: with a global batch of 2 that is five steps. */
  static final String TEN_CONVERSATIONS;

  static {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < 10; i++) {
      json.append(i == 0 ? "" : ",").append("{\"id\":\"").append(i).append("\",\"image\":\"").append(i)
          .append(".png\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image>\\nWhat colour?\"},")
          .append("{\"from\":\"gpt\",\"value\":\"red\"}]}");
    }
    TEN_CONVERSATIONS = json.append("]").toString();
  }

  public final Path workDir;
  public final Path dataRoot;
  public final Path data;
  public final List<JobEvent> delivered = new CopyOnWriteArrayList<>();
  public final JobService service;

  public JobsFixture(Path tmp, long stepMillis, int maxQueuedJobs) {
    try {
      workDir = Files.createDirectories(tmp.resolve("work"));
      dataRoot = Files.createDirectories(tmp.resolve("datasets"));
      data = Files.writeString(dataRoot.resolve("train.json"), TEN_CONVERSATIONS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LocalRunner local = new LocalRunner(new StepCountingRunner(stepMillis), null);
    SpecResolver resolver = new SpecResolver(new PathPolicy(workDir, List.of(dataRoot)), JobLimits.DEFAULT,
        java.util.Set.of(Runner.LOCAL));
    EventDispatcher dispatcher = new EventDispatcher(List.of(delivered::add));
    service = new JobService(new JobService.Options(maxQueuedJobs, 1000), resolver, new JobStore(100),
        Map.of(Runner.LOCAL, local), dispatcher, Clock.systemUTC());
  }

  /** The demo recipe on the ten conversations, two per step: five steps. */
  public JobSpec.Builder demoSpec() {
    return JobSpec.newBuilder().setStage(TrainingStage.ALL_PARTS).setRecipe("demo").setDataPath(data.toString())
        .setGlobalBatchSize(2).setEpochs(1).setModelName("tiny-demo");
  }

  @Override
  public void close() {
    service.close();
  }
}
