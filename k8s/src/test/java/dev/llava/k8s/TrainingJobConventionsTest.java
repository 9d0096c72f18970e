package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TrainingJobConventionsTest {

  static List<String> overlays() {
    return Cluster.overlayNames();
  }

  @Test
  void theShippedTemplateFollowsTheConventions() {
    Job template = TrainingJobConventions.template();
    assertEquals(List.of(), TrainingJobConventions.violations(template));
    assertTrue(PodConventions.requestsGpu(template.getSpec().getTemplate().getSpec()), "the template is the GPU form");
  }

  @Test
  void aCpuOnlyJobDropsTheGpuLimitRuntimeClassTolerationAndAffinity() {
    Job job = mutated(j -> {
      PodSpec pod = j.getSpec().getTemplate().getSpec();
      pod.getContainers().get(0).getResources().getLimits().remove("nvidia.com/gpu");
      pod.getContainers().get(0).getResources().getRequests().remove("nvidia.com/gpu");
      pod.setRuntimeClassName(null);
      pod.setTolerations(null);
      pod.setAffinity(null);
    });
    assertEquals(List.of(), TrainingJobConventions.violations(job));
  }

  @Test
  void aCpuOnlyJobKeepingTheNvidiaRuntimeIsRejected() {
    Job job = mutated(j -> {
      j.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits().remove("nvidia.com/gpu");
      j.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests().remove("nvidia.com/gpu");
    });
    assertViolation(job, "no container requests nvidia.com/gpu but the pod has runtimeClassName nvidia");
  }

  @Test
  void aGpuJobWithoutTheTolerationOrShmIsRejected() {
    Job job = mutated(j -> {
      PodSpec pod = j.getSpec().getTemplate().getSpec();
      pod.setTolerations(null);
      pod.getVolumes().removeIf(v -> v.getName().equals("dshm"));
      pod.getContainers().get(0).getVolumeMounts().removeIf(m -> m.getName().equals("dshm"));
    });
    assertViolation(job, "expected a toleration for taint nvidia.com/gpu");
    assertViolation(job, "expected an emptyDir with medium Memory at /dev/shm");
  }

  @Test
  void aJobRunningAsRootIsRejected() {
    Job job = mutated(j -> j.getSpec().getTemplate().getSpec().getSecurityContext().setRunAsUser(0L));
    assertViolation(job, "pod securityContext.runAsUser: expected 185, found 0");
  }

  @Test
  void aJobUnderTheTrainersServiceAccountIsRejected() {
    Job job = mutated(j -> j.getSpec().getTemplate().getSpec().setServiceAccountName("trainer"));
    assertViolation(job, "serviceAccountName: expected llava-training-job, found trainer");
  }

  @Test
  void labelsAndNameMustCarryTheJobId() {
    Job job = mutated(j -> {
      j.getMetadata().setName("train-example");
      j.getSpec().getTemplate().getMetadata().getLabels().remove("app.kubernetes.io/component");
    });
    assertViolation(job, "name: expected llava-train-example, found train-example");
    assertViolation(job, "pod template label app.kubernetes.io/component: expected training-job, found null");
  }

  @Test
  void kubernetesRetriesAreOffAndFinishedJobsExpire() {
    Job job = mutated(j -> {
      j.getSpec().setBackoffLimit(6);
      j.getSpec().setTtlSecondsAfterFinished(null);
    });
    assertViolation(job, "spec.backoffLimit (the trainer owns retries): expected 0, found 6");
    assertViolation(job, "spec.ttlSecondsAfterFinished: expected a positive number, found null");
  }

  @Test
  void checkListsEveryViolation() {
    Job job = mutated(j -> {
      j.getSpec().setBackoffLimit(2);
      j.getSpec().getTemplate().getSpec().setRestartPolicy("OnFailure");
    });
    AssertionError error = assertThrows(AssertionError.class, () -> TrainingJobConventions.check(job));
    assertTrue(error.getMessage().contains("spec.backoffLimit"), error.getMessage());
    assertTrue(error.getMessage().contains("restartPolicy: expected Never, found OnFailure"), error.getMessage());
  }

  @Test
  void labelsAndSelectorAgree() {
    assertEquals("app.kubernetes.io/part-of=llava,app.kubernetes.io/component=training-job",
        TrainingJobConventions.selector());
    assertEquals("42", TrainingJobConventions.labels("42").get("llava.dev/job-id"));
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void theTrainerGetsTheTemplateAsAMountedConfigMap(String overlay) throws IOException {
    Cluster cluster = Cluster.of(overlay);
    Deployment trainer = cluster.deployment("trainer");
    Volume volume = trainer.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getConfigMap() != null && v.getConfigMap().getName().startsWith("training-job-template"))
        .findFirst().orElseThrow(() -> new AssertionError(overlay + ": trainer mounts no training-job-template"));
    ConfigMap template = cluster.get(ConfigMap.class, volume.getConfigMap().getName());
    String shipped = template.getData().get("job.yaml");
    assertEquals(Files.readString(Paths.k8sDir().resolve("base/trainer-job-template.yaml")), shipped);
    TrainingJobConventions.check(new KubernetesSerialization().unmarshal(shipped, Job.class));
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void trainingPodsHaveAnIdentityWithoutApiAccess(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    ServiceAccount sa = cluster.get(ServiceAccount.class, TrainingJobConventions.SERVICE_ACCOUNT);
    assertEquals(false, sa.getAutomountServiceAccountToken());
    for (RoleBinding binding : cluster.list(RoleBinding.class)) {
      assertFalse(binding.getSubjects().stream()
              .anyMatch(s -> s.getName().equals(TrainingJobConventions.SERVICE_ACCOUNT)),
          overlay + ": RoleBinding " + binding.getMetadata().getName() + " grants the training Job pods API access");
    }
  }

  private static Job mutated(Consumer<Job> change) {
    Job job = TrainingJobConventions.template();
    change.accept(job);
    return job;
  }

  private static void assertViolation(Job job, String expected) {
    List<String> violations = TrainingJobConventions.violations(job);
    assertTrue(violations.stream().anyMatch(v -> v.contains(expected)),
        "expected a violation containing \"" + expected + "\", found " + violations);
  }
}
