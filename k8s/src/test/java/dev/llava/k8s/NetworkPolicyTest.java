package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may connect to whom, asked of the rendered policies: only the orchestrator is reachable from outside;
 * the model services only from the orchestrator and Prometheus; the trainer and Kafka from the namespace.
 */
class NetworkPolicyTest {
  static final int ORCHESTRATOR = 8080;
  static final int VISION = 8081;
  static final int LM = 8082;
  static final int TRAINER = 8083;
  static final int KAFKA = 9092;

  static List<String> overlays() {
    return Cluster.overlayNames();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void ingressIsDeniedByDefault(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    NetworkPolicy deny = cluster.get(NetworkPolicy.class, "default-deny-ingress");
    assertEquals(Map.of(), deny.getSpec().getPodSelector().getMatchLabels() == null ? Map.of()
        : deny.getSpec().getPodSelector().getMatchLabels(), "default-deny selects every pod");
    assertEquals(List.of("Ingress"), deny.getSpec().getPolicyTypes());
    assertTrue(deny.getSpec().getIngress() == null || deny.getSpec().getIngress().isEmpty(), "default-deny allows");
    IngressPolicies policies = policies(cluster);
    for (Deployment d : cluster.list(Deployment.class)) {
      assertTrue(policies.isolates(d.getSpec().getTemplate().getMetadata().getLabels()),
          overlay + ": pods of " + d.getMetadata().getName() + " are not isolated");
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void fromOutsideTheNamespaceOnlyTheOrchestratorAnswers(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    IngressPolicies policies = policies(cluster);
    IngressPolicies.Pod outsider = new IngressPolicies.Pod("ingress-nginx", Map.of("app", "ingress-nginx"));
    assertReach(policies, outsider, pods(cluster), Map.of(
        "orchestrator", true, "vision-encoder", false, "projector-lm", false, "trainer", false, "kafka", false));
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void theOrchestratorReachesEveryBackend(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    Map<String, Map<String, String>> pods = pods(cluster);
    IngressPolicies.Pod orchestrator = new IngressPolicies.Pod(cluster.namespace, pods.get("orchestrator"));
    assertReach(policies(cluster), orchestrator, pods, Map.of(
        "orchestrator", true, "vision-encoder", true, "projector-lm", true, "trainer", true, "kafka", true));
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void otherPodsOfTheNamespaceReachTheTrainerAndKafkaButNotTheModelServices(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    Map<String, Map<String, String>> pods = pods(cluster);
    for (String source : List.of("trainer", "vision-encoder", "projector-lm")) {
      IngressPolicies.Pod pod = new IngressPolicies.Pod(cluster.namespace, pods.get(source));
      assertReach(policies(cluster), pod, pods, Map.of(
          "orchestrator", true, "vision-encoder", false, "projector-lm", false, "trainer", true, "kafka", true));
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void prometheusScrapesEveryServiceButOnlyFromTheMonitoringNamespace(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    Map<String, String> prometheusLabels = Map.of("app.kubernetes.io/name", "prometheus");
    assertReach(policies(cluster), new IngressPolicies.Pod("monitoring", prometheusLabels), pods(cluster), Map.of(
        "orchestrator", true, "vision-encoder", true, "projector-lm", true, "trainer", true, "kafka", false));
    assertReach(policies(cluster), new IngressPolicies.Pod("default", prometheusLabels), pods(cluster), Map.of(
        "orchestrator", true, "vision-encoder", false, "projector-lm", false, "trainer", false, "kafka", false));
  }

  private static void assertReach(IngressPolicies policies, IngressPolicies.Pod from,
      Map<String, Map<String, String>> pods, Map<String, Boolean> expected) {
    Map<String, Integer> ports = Map.of("orchestrator", ORCHESTRATOR, "vision-encoder", VISION,
        "projector-lm", LM, "trainer", TRAINER, "kafka", KAFKA);
    expected.forEach((target, allowed) -> assertEquals(allowed,
        policies.allows(from, pods.get(target), ports.get(target)),
        "connection from " + from + " to " + target + ":" + ports.get(target)));
  }

  private static IngressPolicies policies(Cluster cluster) {
    return new IngressPolicies(cluster.namespace, cluster.list(NetworkPolicy.class));
  }

  /** Pod labels by workload: the Deployments' templates, and what Strimzi puts on the Kafka broker pods. */
  private static Map<String, Map<String, String>> pods(Cluster cluster) {
    Map<String, Map<String, String>> pods = new java.util.HashMap<>();
    for (Deployment d : cluster.list(Deployment.class)) {
      pods.put(d.getMetadata().getName(), d.getSpec().getTemplate().getMetadata().getLabels());
    }
    pods.put("kafka", Map.of("strimzi.io/cluster", "llava", "strimzi.io/kind", "Kafka",
        "strimzi.io/name", "llava-kafka"));
    return pods;
  }
}
