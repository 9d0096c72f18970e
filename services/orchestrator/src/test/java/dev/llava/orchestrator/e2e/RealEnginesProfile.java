package dev.llava.orchestrator.e2e;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** Points the orchestrator at the real engines, with production-sized image limits. */
public class RealEnginesProfile implements QuarkusTestProfile {

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "llava.orchestrator.models[0].name", RealEngines.MODEL,
        "llava.orchestrator.limits.max-image-bytes", "20971520",
        "llava.orchestrator.limits.max-image-pixels", "40000000",
        "llava.orchestrator.deadlines.generate", "120s",
        "llava.orchestrator.deadlines.encode", "60s",
        "llava.orchestrator.kafka.pipeline.transactional-id", "orchestrator-e2e");
  }

  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(new TestResourceEntry(dev.llava.testing.KafkaTestResource.class),
        new TestResourceEntry(Backends.class));
  }

  /** Returns the engines' addresses as the orchestrator's backend config. */
  public static class Backends implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      try {
        RealEngines e = RealEngines.get();
        return Map.of(
            "llava.orchestrator.vision-encoders", "localhost:" + e.vision.getPort(),
            "llava.orchestrator.generators", "localhost:" + e.generator.getPort());
      } catch (Exception ex) {
        throw new IllegalStateException("could not start the real engines on " + RealEngines.CHECKPOINT, ex);
      }
    }

    @Override
    public void stop() {
      // engines live for the JVM (shutdown hook)
    }
  }
}
