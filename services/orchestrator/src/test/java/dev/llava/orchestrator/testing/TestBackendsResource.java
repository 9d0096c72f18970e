package dev.llava.orchestrator.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts the scripted test backends and points the orchestrator at them
 * ({@code llava.orchestrator.vision-encoders} / {@code generators}). The real engines can be wired the same
 * way: start their gRPC adapters on a server and return its {@code host:port} here.
 */
public class TestBackendsResource implements QuarkusTestResourceLifecycleManager {
  @Override
  public Map<String, String> start() {
    return Map.of(
        "llava.orchestrator.vision-encoders", String.join(",", TestBackends.encoderAddresses()),
        "llava.orchestrator.generators", String.join(",", TestBackends.generatorAddresses()));
  }

  @Override
  public void stop() {
    // the servers outlive one test class; the shutdown hook stops them with the JVM
  }
}
