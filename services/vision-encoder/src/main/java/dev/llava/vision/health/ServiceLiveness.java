package dev.llava.vision.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** The JVM answers; liveness never depends on the model so a slow model load does not restart the pod. */
@Liveness
@ApplicationScoped
public class ServiceLiveness implements HealthCheck {
  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.up("vision-encoder");
  }
}
