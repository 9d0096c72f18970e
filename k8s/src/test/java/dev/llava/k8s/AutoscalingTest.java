package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KEDA ScaledObjects scale each serving Deployment on its own load signal (docs/METRICS.md), never a GPU
 * service on CPU, and every metric a query reads is one the service really exports.
 */
class AutoscalingTest {
  static final String KEDA = "keda.sh/v1alpha1";
  static final String PROMETHEUS_OPERATOR = "monitoring.coreos.com/v1";
  /** Per target: trigger types allowed, and the metrics its Prometheus queries may read. */
  static final Map<String, Set<String>> TRIGGER_TYPES = Map.of(
      "vision-encoder", Set.of("prometheus"),
      "projector-lm", Set.of("prometheus"),
      "orchestrator", Set.of("prometheus", "cpu"));
  static final Map<String, Set<String>> SIGNALS = Map.of(
      "vision-encoder", Set.of("llava_vision_queue_depth"),
      "projector-lm", Set.of("llava_lm_waiting_sequences", "llava_lm_kv_cache_usage_ratio"),
      "orchestrator", Set.of("llava_orchestrator_inflight_requests"));

  static List<String> overlays() {
    return Cluster.overlayNames();
  }

  @Test
  void theGpuOverlayScalesTheThreeServingDeployments() {
    Map<String, GenericKubernetesResource> scalers = scaledObjects(Cluster.of("gpu"));
    assertEquals(new TreeSet<>(SIGNALS.keySet()), scalers.keySet(), "gpu: ScaledObject targets");
    assertEquals(Set.of("llava_vision_queue_depth"), metricsOf(scalers.get("vision-encoder")));
    assertFalse(metricsOf(scalers.get("projector-lm")).isEmpty(), "projector-lm scales on no queue metric");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void scalersUseTheServicesLoadSignalsNeverCpuOnGpuServices(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    scaledObjects(cluster).forEach((target, so) -> {
      List<Map<String, Object>> triggers = so.get("spec", "triggers");
      assertFalse(triggers.isEmpty(), overlay + ": ScaledObject " + target + " has no triggers");
      for (Map<String, Object> t : triggers) {
        assertTrue(TRIGGER_TYPES.get(target).contains(t.get("type")),
            overlay + ": ScaledObject " + target + " trigger type " + t.get("type") + ", expected one of "
                + TRIGGER_TYPES.get(target));
      }
      assertTrue(SIGNALS.get(target).containsAll(metricsOf(so)), overlay + ": ScaledObject " + target + " reads "
          + metricsOf(so) + ", expected a subset of " + SIGNALS.get(target));
    });
    assertEquals(List.of(), cluster.list(HorizontalPodAutoscaler.class),
        overlay + ": hand-written HPAs (KEDA creates them from the ScaledObjects)");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyQueriedMetricIsExportedByTheTargetService(String overlay) {
    scaledObjects(Cluster.of(overlay)).forEach((target, so) -> {
      Set<String> exported = ExportedMetrics.of(target);
      for (String metric : metricsOf(so)) {
        assertTrue(exported.contains(metric), overlay + ": ScaledObject " + target + " queries " + metric
            + ", which " + ExportedMetrics.file(target) + " does not contain (exported: " + exported + ")");
      }
    });
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void queriesAreScopedToTheTargetServiceInThisNamespace(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    scaledObjects(cluster).forEach((target, so) -> {
      for (Map<String, Object> t : prometheusTriggers(so)) {
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) t.get("metadata");
        String query = (String) meta.get("query");
        Map<String, String> labels = PromQl.labelMatchers(query);
        assertEquals(cluster.namespace, labels.get("namespace"), overlay + ": " + target + " query " + query);
        assertEquals(target, labels.get("service"), overlay + ": " + target + " query " + query);
        assertTrue(Double.parseDouble((String) meta.get("threshold")) > 0, overlay + ": " + target + " threshold");
        assertTrue(String.valueOf(meta.get("serverAddress")).startsWith("http"), overlay + ": serverAddress");
      }
    });
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void scaledDeploymentsLeaveReplicasToKedaAndHaveABudgetAndAScrape(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    Map<String, GenericKubernetesResource> monitors = new TreeMap<>();
    cluster.custom(PROMETHEUS_OPERATOR, "ServiceMonitor").forEach(m -> monitors.put(m.getMetadata().getName(), m));
    scaledObjects(cluster).forEach((target, so) -> {
      Deployment d = cluster.deployment(target);
      assertNull(d.getSpec().getReplicas(), overlay + ": Deployment " + target + " sets replicas against KEDA");
      int min = ((Number) so.get("spec", "minReplicaCount")).intValue();
      int max = ((Number) so.get("spec", "maxReplicaCount")).intValue();
      assertTrue(1 <= min && min <= max, overlay + ": " + target + " replicas " + min + ".." + max);

      Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
      assertTrue(cluster.list(PodDisruptionBudget.class).stream().anyMatch(pdb ->
          podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet())),
          overlay + ": no PodDisruptionBudget covers " + target);

      GenericKubernetesResource monitor = monitors.get(target);
      assertTrue(monitor != null, overlay + ": no ServiceMonitor scrapes " + target + ", so its scaler has no data");
      Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
      Service service = cluster.get(Service.class, target);
      assertTrue(service.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()),
          overlay + ": ServiceMonitor " + target + " does not select Service " + target);
      List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
      assertEquals("http", endpoints.get(0).get("port"));
      assertEquals("/q/metrics", endpoints.get(0).get("path"));
    });
  }

  /** ScaledObjects by the Deployment they scale. */
  static Map<String, GenericKubernetesResource> scaledObjects(Cluster cluster) {
    Map<String, GenericKubernetesResource> byTarget = new TreeMap<>();
    for (GenericKubernetesResource so : cluster.custom(KEDA, "ScaledObject")) {
      String kind = so.get("spec", "scaleTargetRef", "kind");
      assertTrue(kind == null || kind.equals("Deployment"), "ScaledObject " + so.getMetadata().getName() + " kind");
      byTarget.put(so.get("spec", "scaleTargetRef", "name"), so);
    }
    return byTarget;
  }

  static Set<String> metricsOf(GenericKubernetesResource so) {
    Set<String> names = new TreeSet<>();
    for (Map<String, Object> t : prometheusTriggers(so)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> meta = (Map<String, Object>) t.get("metadata");
      names.addAll(PromQl.metricNames((String) meta.get("query")));
    }
    return names;
  }

  private static List<Map<String, Object>> prometheusTriggers(GenericKubernetesResource so) {
    List<Map<String, Object>> triggers = so.get("spec", "triggers");
    return triggers.stream().filter(t -> "prometheus".equals(t.get("type"))).toList();
  }
}
