package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** components/gpu puts exactly vision-encoder and projector-lm on the GPU pool; dev has no GPU at all. */
class GpuPlacementTest {
  static final Set<String> GPU_SERVICES = Set.of("vision-encoder", "projector-lm");

  @Test
  void theGpuOverlayGivesEachModelServiceOneGpuOnTheGpuPool() {
    Cluster gpu = Cluster.of("gpu");
    for (Deployment d : gpu.list(Deployment.class)) {
      String name = d.getMetadata().getName();
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      long gpus = PodConventions.gpuCount(WorkloadsTest.only(d));
      assertEquals(GPU_SERVICES.contains(name) ? 1 : 0, gpus, WorkloadsTest.where("gpu", d) + " nvidia.com/gpu limit");
      // Runtime class, toleration, node affinity and /dev/shm exactly when a GPU is requested.
      assertEquals(List.of(), PodConventions.gpuViolations(WorkloadsTest.where("gpu", d), pod));
    }
  }

  @Test
  void theDevOverlayRunsOnCpuOnly() {
    Cluster dev = Cluster.of("dev");
    for (Deployment d : dev.list(Deployment.class)) {
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      assertFalse(PodConventions.requestsGpu(pod), WorkloadsTest.where("dev", d) + " requests a GPU");
      assertEquals(List.of(), PodConventions.gpuViolations(WorkloadsTest.where("dev", d), pod));
    }
  }
}
