package dev.llava.vision.health;

import dev.llava.vision.service.VisionModelHolder;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the vision tower is loaded: the startup probe waits on this. */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {
  private final VisionModelHolder holder;

  public ModelReadiness(VisionModelHolder holder) {
    this.holder = holder;
  }

  @Override
  public HealthCheckResponse call() {
    String problem = holder.problem();
    var builder = HealthCheckResponse.named("vision-model").status(problem == null);
    if (problem != null) {
      builder.withData("reason", problem);
    } else {
      builder.withData("revision", holder.engine().revision());
    }
    return builder.build();
  }
}
