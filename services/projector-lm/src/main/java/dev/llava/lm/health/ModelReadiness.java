package dev.llava.lm.health;

import dev.llava.lm.service.GenerationEngineHolder;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the model is loaded: Kubernetes sends no traffic to a pod still loading (or without one). */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {
  private final GenerationEngineHolder holder;

  public ModelReadiness(GenerationEngineHolder holder) {
    this.holder = holder;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("model")
        .status(holder.state() == GenerationEngineHolder.State.READY)
        .withData("state", holder.state().name())
        .withData("message", holder.message())
        .build();
  }
}
