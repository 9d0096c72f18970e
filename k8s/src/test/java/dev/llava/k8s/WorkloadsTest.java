package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Deployments: one per service, sized, probed for model loading, on the model volume. */
class WorkloadsTest {
  static final Map<String, Integer> PORTS = Map.of(
      "orchestrator", 8080, "vision-encoder", 8081, "projector-lm", 8082, "trainer", 8083);
  /** Loading a checkpoint takes minutes: the startup probe must allow at least this long. */
  static final int STARTUP_BUDGET_SECONDS = 600;

  static List<String> overlays() {
    return Cluster.overlayNames();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyServiceRunsAsADeploymentOnItsPort(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    Set<String> names = cluster.list(Deployment.class).stream().map(d -> d.getMetadata().getName())
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(PORTS.keySet()), names, overlay + ": Deployments");
    for (Deployment d : cluster.list(Deployment.class)) {
      Container c = only(d);
      assertEquals(List.of(PORTS.get(d.getMetadata().getName())),
          c.getPorts().stream().map(ContainerPort::getContainerPort).toList(), where(overlay, d) + " ports");
      assertEquals("http", c.getPorts().get(0).getName(), where(overlay, d) + " port name");
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyContainerRequestsAndLimitsCpuAndMemory(String overlay) {
    for (Deployment d : Cluster.of(overlay).list(Deployment.class)) {
      for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
        for (String resource : List.of("cpu", "memory")) {
          Quantity request = c.getResources().getRequests().get(resource);
          Quantity limit = c.getResources().getLimits().get(resource);
          assertNotNull(request, where(overlay, d) + " requests." + resource);
          assertNotNull(limit, where(overlay, d) + " limits." + resource);
          assertTrue(Quantity.getAmountInBytes(request).compareTo(Quantity.getAmountInBytes(limit)) <= 0,
              where(overlay, d) + " " + resource + ": request " + request + " above limit " + limit);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void probesWaitForTheModelThenWatchLivenessAndReadiness(String overlay) {
    for (Deployment d : Cluster.of(overlay).list(Deployment.class)) {
      Container c = only(d);
      assertProbe(where(overlay, d) + " startupProbe", c.getStartupProbe(), "/q/health/ready");
      assertProbe(where(overlay, d) + " livenessProbe", c.getLivenessProbe(), "/q/health/live");
      assertProbe(where(overlay, d) + " readinessProbe", c.getReadinessProbe(), "/q/health/ready");
      Probe startup = c.getStartupProbe();
      int budget = startup.getFailureThreshold() * startup.getPeriodSeconds();
      assertTrue(budget >= STARTUP_BUDGET_SECONDS, where(overlay, d) + " startupProbe allows " + budget
          + " s (failureThreshold x periodSeconds), expected at least " + STARTUP_BUDGET_SECONDS + " s");
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void modelServicesMountTheModelVolumeReadOnly(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    cluster.get(PersistentVolumeClaim.class, "llava-models");
    for (String name : List.of("vision-encoder", "projector-lm", "trainer")) {
      Deployment d = cluster.deployment(name);
      Volume models = d.getSpec().getTemplate().getSpec().getVolumes().stream()
          .filter(v -> v.getPersistentVolumeClaim() != null
              && v.getPersistentVolumeClaim().getClaimName().equals("llava-models"))
          .findFirst().orElseThrow(() -> new AssertionError(where(overlay, d) + ": no llava-models volume"));
      VolumeMount mount = only(d).getVolumeMounts().stream().filter(m -> m.getName().equals(models.getName()))
          .findFirst().orElseThrow(() -> new AssertionError(where(overlay, d) + ": llava-models not mounted"));
      assertEquals("/models", mount.getMountPath(), where(overlay, d) + " model volume mount");
      assertEquals(true, mount.getReadOnly(), where(overlay, d) + " model volume readOnly");
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void djlRunsOfflineWithItsCacheOnAnEmptyDir(String overlay) {
    for (Deployment d : Cluster.of(overlay).list(Deployment.class)) {
      assertEquals(List.of(), PodConventions.djlViolations(where(overlay, d), d.getSpec().getTemplate().getSpec()));
    }
  }

  private static void assertProbe(String what, Probe probe, String path) {
    assertNotNull(probe, what);
    assertNotNull(probe.getHttpGet(), what + " httpGet");
    assertEquals(path, probe.getHttpGet().getPath(), what + " path");
    assertEquals("http", probe.getHttpGet().getPort().getStrVal(), what + " port");
  }

  static Container only(Deployment d) {
    List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, containers.size(), "Deployment " + d.getMetadata().getName() + " containers");
    return containers.get(0);
  }

  static String where(String overlay, Deployment d) {
    return overlay + ": Deployment " + d.getMetadata().getName();
  }
}
