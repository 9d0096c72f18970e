package dev.llava.trainer.health;

import dev.llava.proto.v1.Runner;
import dev.llava.trainer.jobs.JobService;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when every enabled runner can take jobs: the local one has its trainer class
 * (llava.trainer.runner-class), the Kubernetes one is watching its Jobs. The reason of each that cannot is shown.
 */
@Readiness
@ApplicationScoped
public class RunnerReadiness implements HealthCheck {
  private final JobService jobs;

  public RunnerReadiness(JobService jobs) {
    this.jobs = jobs;
  }

  @Override
  public HealthCheckResponse call() {
    Map<Runner, String> unavailable = jobs.unavailableRunners();
    HealthCheckResponseBuilder b = HealthCheckResponse.named("training-runners").status(unavailable.isEmpty());
    unavailable.forEach((runner, reason) -> b.withData(runner.name(), reason));
    return b.build();
  }
}
