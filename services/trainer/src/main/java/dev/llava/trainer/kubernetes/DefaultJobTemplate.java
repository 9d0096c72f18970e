package dev.llava.trainer.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The training Job every job starts from: the cluster's template ({@code k8s/base/trainer-job-template.yaml},
 * mounted in the trainer pod at llava.trainer.kubernetes.job-template) when present, else a built-in equivalent
 * of it (pod security as the services', DJL offline with /tmp and its cache on emptyDirs, the llava-models volume
 * at /models, the GPU form). {@link TrainingJobFactory} then fills in the job.
 */
public final class DefaultJobTemplate {
  public static final String MODELS_CLAIM = "llava-models";
  public static final String MODELS_MOUNT = "/models";
  static final String CONTAINER = "trainer";
  static final long RUN_AS = 185;

  private DefaultJobTemplate() {}

  /** The template at {@code file}, or the built-in one when there is no such file. */
  public static Job load(Path file, KubernetesSerialization serialization) {
    if (!Files.isRegularFile(file)) {
      return builtIn();
    }
    try (InputStream in = Files.newInputStream(file)) {
      Job job = serialization.unmarshal(in, Job.class);
      if (job == null || job.getSpec() == null || job.getSpec().getTemplate() == null
          || job.getSpec().getTemplate().getSpec() == null
          || job.getSpec().getTemplate().getSpec().getContainers() == null
          || job.getSpec().getTemplate().getSpec().getContainers().isEmpty()) {
        throw new IllegalStateException("the Job template " + file + " has no pod template with a container");
      }
      return job;
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the Job template " + file, e);
    }
  }

  /** The same Job as k8s/base/trainer-job-template.yaml, for a trainer without the mounted template. */
  public static Job builtIn() {
    return new JobBuilder()
        .withNewMetadata().withName("llava-train-template").endMetadata()
        .withNewSpec()
          .withBackoffLimit(0)
          .withNewTemplate()
            .withNewMetadata().endMetadata()
            .withNewSpec()
              .withRestartPolicy("Never")
              .withNewSecurityContext()
                .withRunAsNonRoot(true).withRunAsUser(RUN_AS).withRunAsGroup(RUN_AS).withFsGroup(RUN_AS)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
              .endSecurityContext()
              .withContainers(new ContainerBuilder()
                  .withName(CONTAINER)
                  .withImage("llava/trainer")
                  .addNewEnv().withName("JAVA_TOOL_OPTIONS")
                      .withValue("-Dai.djl.offline=true -XX:MaxRAMPercentage=75").endEnv()
                  .addNewEnv().withName("DJL_CACHE_DIR").withValue("/var/cache/djl").endEnv()
                  .addNewEnv().withName("ENGINE_CACHE_DIR").withValue("/var/cache/djl").endEnv()
                  .withNewResources()
                    .withRequests(Map.of("cpu", new Quantity("4"), "memory", new Quantity("32Gi")))
                    .withLimits(Map.of("cpu", new Quantity("8"), "memory", new Quantity("48Gi")))
                  .endResources()
                  .withNewSecurityContext()
                    .withRunAsNonRoot(true).withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                  .endSecurityContext()
                  .withVolumeMounts(
                      new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build(),
                      new VolumeMountBuilder().withName("djl-cache").withMountPath("/var/cache/djl").build(),
                      new VolumeMountBuilder().withName("models").withMountPath(MODELS_MOUNT).build())
                  .build())
              .withVolumes(
                  new VolumeBuilder().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("8Gi"))
                      .endEmptyDir().build(),
                  new VolumeBuilder().withName("djl-cache").withNewEmptyDir().withSizeLimit(new Quantity("8Gi"))
                      .endEmptyDir().build(),
                  new VolumeBuilder().withName("models").withNewPersistentVolumeClaim().withClaimName(MODELS_CLAIM)
                      .endPersistentVolumeClaim().build())
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }
}
