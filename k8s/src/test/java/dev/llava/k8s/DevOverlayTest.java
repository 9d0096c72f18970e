package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** dev: one replica of everything, a one-node Kafka, and nothing that needs more than Strimzi installed. */
class DevOverlayTest {

  @Test
  void everyServiceRunsOneReplica() {
    for (Deployment d : Cluster.of("dev").list(Deployment.class)) {
      assertEquals(1, d.getSpec().getReplicas(), WorkloadsTest.where("dev", d) + " replicas");
    }
  }

  @Test
  void onlyStrimziResourcesAreCustom() {
    Set<String> custom = Cluster.of("dev").rendered.stream().filter(o -> o instanceof GenericKubernetesResource)
        .map(HasMetadata::getKind).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of("Kafka", "KafkaNodePool", "KafkaTopic"), custom,
        "dev custom resources (each needs its operator installed)");
  }

  @Test
  void kafkaIsOneNodeAndTopicsFitOnIt() {
    Cluster dev = Cluster.of("dev");
    GenericKubernetesResource pool = dev.custom(KafkaTest.STRIMZI, "KafkaNodePool").get(0);
    assertEquals(1, ((Number) pool.get("spec", "replicas")).intValue(), "dev KafkaNodePool replicas");
    for (GenericKubernetesResource topic : dev.custom(KafkaTest.STRIMZI, "KafkaTopic")) {
      assertEquals(1, ((Number) topic.get("spec", "replicas")).intValue(),
          "dev KafkaTopic " + topic.getMetadata().getName() + " replicas");
    }
    assertTrue(dev.yaml.contains("type: ephemeral"), "dev Kafka storage is ephemeral");
  }
}
