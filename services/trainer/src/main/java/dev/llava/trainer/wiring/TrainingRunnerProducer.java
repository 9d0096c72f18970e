package dev.llava.trainer.wiring;

import dev.llava.model.train.TrainingRunner;
import dev.llava.trainer.config.TrainerConfig;
import dev.llava.trainer.jobs.TrainingRunners;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The {@link TrainingRunner} of the local runner: an instance of llava.trainer.runner-class (by default the in-JVM
 * DJL trainer {@code dev.llava.model.train.LlavaTrainer}). A default bean: any other {@code TrainingRunner} bean in
 * the application replaces it. When the class is missing, the runner is {@link TrainingRunners.Unavailable} and
 * readiness reports why.
 */
@ApplicationScoped
public class TrainingRunnerProducer {
  private static final Logger LOG = Logger.getLogger(TrainingRunnerProducer.class);

  @Produces
  @DefaultBean
  @Singleton
  TrainingRunner trainingRunner(TrainerConfig config) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    TrainingRunner runner = TrainingRunners.load(config.runnerClass(), loader);
    if (runner instanceof TrainingRunners.Unavailable u) {
      LOG.warn("local training runner unavailable: " + u.reason());
    } else {
      LOG.infof("local training runner: %s", runner.getClass().getName());
    }
    return runner;
  }
}
