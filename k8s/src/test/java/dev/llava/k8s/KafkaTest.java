package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Strimzi KRaft cluster "llava" and a KafkaTopic for every topic the platform reads or writes. */
class KafkaTest {
  static final String STRIMZI = "kafka.strimzi.io/v1beta2";
  static final Set<String> TOPICS = Set.of("llava.chat.requests", "llava.chat.responses", "llava.chat.requests.dlq",
      "llava.training.events", "llava.models", "llava.usage");

  static List<String> overlays() {
    return Cluster.overlayNames();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void theClusterRunsKraftOnANodePoolWithATopicOperator(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    List<GenericKubernetesResource> kafkas = cluster.custom(STRIMZI, "Kafka");
    assertEquals(1, kafkas.size(), overlay + ": Kafka clusters");
    GenericKubernetesResource kafka = kafkas.get(0);
    assertEquals("llava", kafka.getMetadata().getName());
    assertEquals("enabled", kafka.getMetadata().getAnnotations().get("strimzi.io/kraft"));
    assertEquals("enabled", kafka.getMetadata().getAnnotations().get("strimzi.io/node-pools"));
    assertNull(kafka.get("spec", "zookeeper"), overlay + ": KRaft has no ZooKeeper");
    assertNotNull(kafka.get("spec", "entityOperator", "topicOperator"), overlay + ": topic operator");
    assertEquals(false, kafka.get("spec", "kafka", "config", "auto.create.topics.enable"));

    GenericKubernetesResource pool = cluster.custom(STRIMZI, "KafkaNodePool").get(0);
    assertEquals("llava", pool.getMetadata().getLabels().get("strimzi.io/cluster"));
    assertEquals(List.of("controller", "broker"), pool.get("spec", "roles"));
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void servicesBootstrapFromThePlainListener(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    GenericKubernetesResource kafka = cluster.custom(STRIMZI, "Kafka").get(0);
    List<Map<String, Object>> listeners = kafka.get("spec", "kafka", "listeners");
    Map<String, Object> plain = listeners.stream().filter(l -> "plain".equals(l.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError(overlay + ": no plain listener"));
    String expected = kafka.getMetadata().getName() + "-kafka-bootstrap:" + plain.get("port");
    assertEquals(expected, cluster.get(ConfigMap.class, "llava-kafka").getData().get("KAFKA_BOOTSTRAP_SERVERS"));
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyTopicExistsAndFitsTheNodePool(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    int nodes = ((Number) cluster.custom(STRIMZI, "KafkaNodePool").get(0).get("spec", "replicas")).intValue();
    Map<String, GenericKubernetesResource> topics = topics(cluster);
    assertEquals(new TreeSet<>(TOPICS), topics.keySet(), overlay + ": KafkaTopics");
    topics.forEach((name, topic) -> {
      assertEquals("llava", topic.getMetadata().getLabels().get("strimzi.io/cluster"), overlay + " " + name);
      int partitions = ((Number) topic.get("spec", "partitions")).intValue();
      int replicas = ((Number) topic.get("spec", "replicas")).intValue();
      int minIsr = Integer.parseInt(String.valueOf((Object) topic.get("spec", "config", "min.insync.replicas")));
      assertTrue(partitions >= 1, overlay + " " + name + " partitions " + partitions);
      assertTrue(replicas <= nodes, overlay + " " + name + ": " + replicas + " replicas on " + nodes + " nodes");
      assertTrue(minIsr <= replicas && (replicas == 1 || minIsr < replicas),
          overlay + " " + name + ": min.insync.replicas " + minIsr + " with " + replicas
              + " replicas (must leave room for one broker down)");
    });
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void theModelRegistryIsCompactedAndUsageIsRetained(String overlay) {
    Map<String, GenericKubernetesResource> topics = topics(Cluster.of(overlay));
    assertEquals("compact", topics.get("llava.models").get("spec", "config", "cleanup.policy"));
    assertNull(topics.get("llava.models").get("spec", "config", "retention.ms"), "llava.models expires by time");
    assertNotNull(topics.get("llava.usage").get("spec", "config", "retention.ms"), "llava.usage retention.ms");
    assertTrue(((Number) topics.get("llava.usage").get("spec", "partitions")).intValue() > 1,
        "llava.usage partitions");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void topicsTheServicesAreConfiguredWithExist(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    Set<String> topics = topics(cluster).keySet();
    for (String configMap : List.of("orchestrator-config", "trainer-config")) {
      cluster.get(ConfigMap.class, configMap).getData().forEach((key, value) -> {
        if (key.contains("_TOPIC")) {
          assertTrue(topics.contains(value),
              overlay + ": " + configMap + " " + key + "=" + value + " has no KafkaTopic");
        }
      });
    }
  }

  /** KafkaTopics by Kafka topic name (spec.topicName, else metadata.name). */
  static Map<String, GenericKubernetesResource> topics(Cluster cluster) {
    Map<String, GenericKubernetesResource> byName = new TreeMap<>();
    for (GenericKubernetesResource t : cluster.custom(STRIMZI, "KafkaTopic")) {
      String name = t.get("spec", "topicName");
      byName.put(name != null ? name : t.getMetadata().getName(), t);
    }
    return byName;
  }
}
