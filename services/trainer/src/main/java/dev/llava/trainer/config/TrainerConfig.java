package dev.llava.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the trainer service ({@code llava.trainer.*}). */
@ConfigMapping(prefix = "llava.trainer")
public interface TrainerConfig {

  /** Directory under which job outputs may be written; job specs pointing elsewhere are rejected. */
  @WithDefault("${java.io.tmpdir}/llava-jobs")
  String workDir();

  /** Jobs that may wait for the local runner; beyond this SubmitJob answers RESOURCE_EXHAUSTED. */
  @WithDefault("16")
  int maxQueuedJobs();

  /** Kafka topics the trainer publishes to. */
  Topics topics();

  interface Topics {
    @WithDefault("llava.training.events")
    String events();

    @WithDefault("llava.models")
    String models();
  }
}
