package dev.llava.trainer.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The Jobs the factory builds from the built-in template and from the shipped one (a copy in test resources). */
class TrainingJobFactoryTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Path SHIPPED = Path.of("src/test/resources/k8s/trainer-job-template.yaml");

  static KubernetesJobSettings settings(List<String> tolerations, Map<String, String> nodeSelector,
      Optional<String> memoryLimit) {
    return new KubernetesJobSettings(Optional.empty(), Optional.of("img:1"), Optional.empty(), "trainer", List.of("bin/llava"),
        "llava-training-job", 3600, 7200, "nvidia", tolerations, nodeSelector, Optional.empty(), Optional.empty(),
        Optional.empty(), memoryLimit, Duration.ofSeconds(5));
  }

  private static Job build(Job template, int gpus) {
    return new TrainingJobFactory(settings(List.of("nvidia.com/gpu:NoSchedule"), Map.of(), Optional.empty()),
        template, SERIALIZATION).build("job-abc", "{}", gpus, "img:1");
  }

  @Test
  void theBuiltInAndTheShippedTemplateGiveTheSameGpuJob() {
    Job fromBuiltIn = build(DefaultJobTemplate.builtIn(), 4);
    Job fromShipped = build(DefaultJobTemplate.load(SHIPPED, SERIALIZATION), 4);
    for (Job job : List.of(fromBuiltIn, fromShipped)) {
      PodSpec pod = job.getSpec().getTemplate().getSpec();
      Container c = pod.getContainers().get(0);
      assertEquals("llava-train-job-abc", job.getMetadata().getName());
      assertEquals(TrainingJobFactory.labels("job-abc"), job.getSpec().getTemplate().getMetadata().getLabels());
      assertEquals(new Quantity("4"), c.getResources().getLimits().get("nvidia.com/gpu"));
      assertEquals(new Quantity("4"), c.getResources().getRequests().get("nvidia.com/gpu"));
      assertEquals("nvidia", pod.getRuntimeClassName());
      assertEquals(1, pod.getTolerations().size());
      assertEquals(3600, job.getSpec().getTtlSecondsAfterFinished());
      assertEquals(7200L, job.getSpec().getActiveDeadlineSeconds());
      assertEquals("Memory", pod.getVolumes().stream().filter(v -> v.getName().equals("dshm")).findFirst()
          .orElseThrow().getEmptyDir().getMedium());
      assertEquals(185L, pod.getSecurityContext().getRunAsUser());
      assertEquals("-Dai.djl.offline=true -XX:MaxRAMPercentage=75", c.getEnv().stream()
          .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow().getValue());
      assertEquals("job-abc", c.getEnv().get(0).getValue());
    }
    assertEquals(mounts(fromShipped), mounts(fromBuiltIn));
    assertEquals(fromShipped.getSpec().getTemplate().getSpec().getContainers().get(0).getResources(),
        fromBuiltIn.getSpec().getTemplate().getSpec().getContainers().get(0).getResources());
  }

  @Test
  void theCpuFormDropsEveryGpuPartOfTheShippedTemplate() {
    PodSpec pod = build(DefaultJobTemplate.load(SHIPPED, SERIALIZATION), 0).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertEquals(Map.of("cpu", new Quantity("8"), "memory", new Quantity("48Gi")), c.getResources().getLimits());
    assertEquals(Map.of("cpu", new Quantity("4"), "memory", new Quantity("32Gi")), c.getResources().getRequests());
    assertNull(pod.getRuntimeClassName());
    assertNull(pod.getTolerations());
    assertNull(pod.getAffinity());
    assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getName().equals("dshm")));
    assertTrue(!mounts(build(DefaultJobTemplate.builtIn(), 0)).containsKey("/dev/shm"));
  }

  @Test
  void configuredPlacementAndResourcesOverrideTheTemplate() {
    Job job = new TrainingJobFactory(settings(List.of("gpu-pool=a100:NoExecute"), Map.of("pool", "a100"),
        Optional.of("64Gi")), DefaultJobTemplate.builtIn(), SERIALIZATION).build("job-x", "{}", 1, "img:2");
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    Toleration t = pod.getTolerations().get(0);
    assertEquals(List.of("gpu-pool", "Equal", "a100", "NoExecute"),
        List.of(t.getKey(), t.getOperator(), t.getValue(), t.getEffect()));
    assertEquals(Map.of("pool", "a100"), pod.getNodeSelector());
    assertEquals(new Quantity("64Gi"), pod.getContainers().get(0).getResources().getLimits().get("memory"));
    assertEquals("img:2", pod.getContainers().get(0).getImage());
  }

  @Test
  void aMalformedTolerationIsRejectedNamingTheSyntax() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KubernetesJobSettings.toleration("nvidia.com/gpu"));
    assertEquals("llava.trainer.kubernetes.gpu-tolerations: expected key[=value]:effect (for example"
        + " nvidia.com/gpu:NoSchedule), got \"nvidia.com/gpu\"", e.getMessage());
  }

  @Test
  void theImageComesFromTheTrainerContainerOfAPod() {
    var pod = new PodBuilder().withNewSpec().addNewContainer().withName("sidecar").withImage("envoy").endContainer()
        .addNewContainer().withName("trainer").withImage("llava/trainer:9").endContainer().endSpec().build();
    assertEquals(Optional.of("llava/trainer:9"), TrainingJobFactory.imageOf(pod, "trainer"));
    assertEquals(Optional.of("envoy"), TrainingJobFactory.imageOf(pod, "other"), "else the first container's");
    assertEquals(Optional.empty(), TrainingJobFactory.imageOf(null, "trainer"));
  }

  private static Map<String, String> mounts(Job job) {
    Map<String, String> m = new TreeMap<>();
    job.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts()
        .forEach(v -> m.put(v.getMountPath(), v.getName()));
    return m;
  }
}
