package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every ConfigMap entry a service gets as an environment variable configures a property that service reads. */
class ConfigPropertiesTest {

  static List<String> overlays() {
    return Cluster.overlayNames();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void configMapEntriesAreRealPropertiesOfTheServiceReadingThem(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    for (Deployment d : cluster.list(Deployment.class)) {
      String service = d.getMetadata().getName();
      Set<String> known = ServiceProperties.of(service);
      Container c = WorkloadsTest.only(d);
      for (EnvFromSource from : c.getEnvFrom()) {
        ConfigMap cm = cluster.get(ConfigMap.class, from.getConfigMapRef().getName());
        for (String key : cm.getData().keySet()) {
          assertTrue(ServiceProperties.configures(known, key), overlay + ": ConfigMap " + cm.getMetadata().getName()
              + " key " + key + " configures no property of " + service + " (services/" + service
              + "/src/main: application.properties, @ConfigMapping)");
        }
      }
      for (EnvVar env : c.getEnv()) {
        if (env.getValueFrom() != null && env.getValueFrom().getConfigMapKeyRef() != null) {
          String cmName = env.getValueFrom().getConfigMapKeyRef().getName();
          String key = env.getValueFrom().getConfigMapKeyRef().getKey();
          assertTrue(cluster.get(ConfigMap.class, cmName).getData().containsKey(key),
              overlay + ": " + service + " env " + env.getName() + " refers to missing key " + cmName + "/" + key);
          assertTrue(ServiceProperties.configures(known, env.getName()),
              overlay + ": " + service + " env " + env.getName() + " configures no property of " + service);
        }
      }
    }
  }

  @Test
  void configMappingsAreReadFromTheServicesSources() {
    Set<String> vision = ServiceProperties.of("vision-encoder");
    assertTrue(vision.contains("llava.vision.batching.max-tiles-per-batch"), vision.toString());
    assertTrue(ServiceProperties.configures(vision, "LLAVA_VISION_BATCHING_MAX_TILES_PER_BATCH"));
    assertTrue(ServiceProperties.configures(vision, "LLAVA_MODEL_DIR"), "referenced by application.properties");
    assertFalse(ServiceProperties.configures(vision, "LLAVA_VISION_BATCHING_MAX_TILES"));
    assertFalse(ServiceProperties.configures(vision, "LLAVA_LM_SCHEDULER_MAX_RUNNING_SEQUENCES"));
    Set<String> orchestrator = ServiceProperties.of("orchestrator");
    assertTrue(ServiceProperties.configures(orchestrator, "LLAVA_ORCHESTRATOR_MODELS_0__MAX_CONTEXT_TOKENS"),
        orchestrator.toString());
    assertTrue(ServiceProperties.configures(orchestrator, "KAFKA_BOOTSTRAP_SERVERS"));
  }
}
