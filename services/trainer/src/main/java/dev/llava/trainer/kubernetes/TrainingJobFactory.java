package dev.llava.trainer.kubernetes;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds the batch/v1 Job of one training job from the template, following the conventions written at the top of
 * k8s/base/trainer-job-template.yaml: name {@code llava-train-<job-id>}; the four labels on the Job and its pods;
 * the llava-training-job ServiceAccount without a token; restartPolicy Never, backoffLimit 0, a TTL and a deadline;
 * one container running {@code <command> train --spec-json <file>}; and either the GPU form (nvidia.com/gpu request =
 * limit, runtime class, GPU toleration, required GPU node affinity, /dev/shm in memory) or none of it.
 *
 * <p>The spec reaches the pod as a file without an extra API object (the trainer's Role may create Jobs only):
 * it is the pod's annotation {@value #SPEC_ANNOTATION}, projected by a downward-API volume to {@value #SPEC_FILE}.
 */
public final class TrainingJobFactory {
  public static final String NAME_PREFIX = "llava-train-";
  public static final String PART_OF_LABEL = "app.kubernetes.io/part-of";
  public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String JOB_ID_LABEL = "llava.dev/job-id";
  public static final String SPEC_ANNOTATION = "llava.dev/training-spec";
  public static final String SPEC_DIR = "/etc/llava/training-spec";
  public static final String SPEC_FILE = SPEC_DIR + "/spec.json";
  public static final String GPU = "nvidia.com/gpu";
  static final String GPU_NODE_LABEL = "nvidia.com/gpu.present";
  static final String SPEC_VOLUME = "training-spec";
  static final String SHM_VOLUME = "dshm";

  private final KubernetesJobSettings settings;
  private final Job template;
  private final KubernetesSerialization serialization;

  public TrainingJobFactory(KubernetesJobSettings settings, Job template, KubernetesSerialization serialization) {
    this.settings = settings;
    this.template = template;
    this.serialization = serialization;
  }

  /** The labels every training Job and its pods carry; the runner watches its Jobs by the first three. */
  public static Map<String, String> labels(String jobId) {
    Map<String, String> labels = new LinkedHashMap<>(selectorLabels());
    labels.put(JOB_ID_LABEL, jobId);
    return labels;
  }

  public static Map<String, String> selectorLabels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(PART_OF_LABEL, "llava");
    labels.put(COMPONENT_LABEL, "training-job");
    labels.put(MANAGED_BY_LABEL, "llava-trainer");
    return labels;
  }

  public static String jobName(String jobId) {
    return NAME_PREFIX + jobId;
  }

  /**
   * @param specJson the TrainingSpec JSON the pod's {@code train --spec-json} reads
   * @param gpus nvidia.com/gpu of the pod; 0 builds the CPU form
   */
  public Job build(String jobId, String specJson, int gpus, String image) {
    Job job = serialization.clone(template);
    ObjectMeta meta = job.getMetadata() == null ? new ObjectMeta() : job.getMetadata();
    job.setMetadata(meta);
    meta.setName(jobName(jobId));
    meta.setNamespace(null);
    meta.setResourceVersion(null);
    meta.setUid(null);
    meta.setLabels(merged(meta.getLabels(), labels(jobId)));
    job.setStatus(null);

    var spec = job.getSpec();
    spec.setBackoffLimit(0);
    spec.setTtlSecondsAfterFinished(settings.ttlSecondsAfterFinished());
    spec.setActiveDeadlineSeconds(settings.activeDeadlineSeconds());
    ObjectMeta podMeta = spec.getTemplate().getMetadata() == null ? new ObjectMeta() : spec.getTemplate().getMetadata();
    spec.getTemplate().setMetadata(podMeta);
    podMeta.setLabels(merged(podMeta.getLabels(), labels(jobId)));
    podMeta.setAnnotations(merged(podMeta.getAnnotations(), Map.of(SPEC_ANNOTATION, specJson)));

    PodSpec pod = spec.getTemplate().getSpec();
    pod.setServiceAccountName(settings.serviceAccount());
    pod.setAutomountServiceAccountToken(false);
    pod.setRestartPolicy("Never");
    if (!settings.nodeSelector().isEmpty()) {
      pod.setNodeSelector(merged(pod.getNodeSelector(), settings.nodeSelector()));
    }

    Container c = trainerContainer(pod);
    pod.setContainers(new ArrayList<>(List.of(c)));
    c.setImage(image);
    c.setCommand(settings.command().isEmpty() ? null : new ArrayList<>(settings.command()));
    c.setArgs(new ArrayList<>(List.of("train", "--spec-json", SPEC_FILE)));
    setEnv(c, new EnvVarBuilder().withName("LLAVA_JOB_ID").withValue(jobId).build());
    resources(c);
    addVolume(pod, new VolumeBuilder().withName(SPEC_VOLUME).withNewDownwardAPI().addNewItem()
        .withPath("spec.json").withNewFieldRef().withFieldPath("metadata.annotations['" + SPEC_ANNOTATION + "']")
        .endFieldRef().endItem().endDownwardAPI().build());
    addMount(c, new VolumeMountBuilder().withName(SPEC_VOLUME).withMountPath(SPEC_DIR).withReadOnly(true).build());

    if (gpus > 0) {
      gpuForm(pod, c, gpus);
    } else {
      cpuForm(pod, c);
    }
    return job;
  }

  private Container trainerContainer(PodSpec pod) {
    return pod.getContainers().stream().filter(x -> DefaultJobTemplate.CONTAINER.equals(x.getName())).findFirst()
        .orElse(pod.getContainers().get(0));
  }

  private void resources(Container c) {
    ResourceRequirements r = c.getResources() == null ? new ResourceRequirements() : c.getResources();
    c.setResources(r);
    Map<String, Quantity> requests = new LinkedHashMap<>(r.getRequests() == null ? Map.of() : r.getRequests());
    Map<String, Quantity> limits = new LinkedHashMap<>(r.getLimits() == null ? Map.of() : r.getLimits());
    settings.cpuRequest().ifPresent(q -> requests.put("cpu", new Quantity(q)));
    settings.memoryRequest().ifPresent(q -> requests.put("memory", new Quantity(q)));
    settings.cpuLimit().ifPresent(q -> limits.put("cpu", new Quantity(q)));
    settings.memoryLimit().ifPresent(q -> limits.put("memory", new Quantity(q)));
    r.setRequests(requests);
    r.setLimits(limits);
  }

  private void gpuForm(PodSpec pod, Container c, int gpus) {
    Quantity count = new Quantity(Integer.toString(gpus));
    c.getResources().getRequests().put(GPU, count);
    c.getResources().getLimits().put(GPU, count);
    pod.setRuntimeClassName(settings.runtimeClassName());
    List<Toleration> tolerations = withoutGpuTolerations(pod.getTolerations());
    tolerations.addAll(settings.tolerations());
    pod.setTolerations(tolerations);
    Affinity affinity = pod.getAffinity() == null ? new Affinity() : pod.getAffinity();
    pod.setAffinity(affinity);
    if (!requiresGpuNode(affinity)) {
      // Replaces any required node terms: the terms are ORed, so every one of them must demand a GPU node.
      affinity.setNodeAffinity(new io.fabric8.kubernetes.api.model.NodeAffinityBuilder()
          .withNewRequiredDuringSchedulingIgnoredDuringExecution()
          .withNodeSelectorTerms(new NodeSelectorTermBuilder().withMatchExpressions(
              new NodeSelectorRequirementBuilder().withKey(GPU_NODE_LABEL).withOperator("In").withValues("true")
                  .build()).build())
          .endRequiredDuringSchedulingIgnoredDuringExecution().build());
    }
    if (pod.getVolumes().stream().noneMatch(v -> SHM_VOLUME.equals(v.getName()))) {
      addVolume(pod, new VolumeBuilder().withName(SHM_VOLUME).withNewEmptyDir().withMedium("Memory")
          .withSizeLimit(new Quantity("8Gi")).endEmptyDir().build());
    }
    if (c.getVolumeMounts().stream().noneMatch(m -> "/dev/shm".equals(m.getMountPath()))) {
      addMount(c, new VolumeMountBuilder().withName(SHM_VOLUME).withMountPath("/dev/shm").build());
    }
  }

  /** A CPU-only pod has none of the GPU limit, runtime class, GPU toleration, GPU node affinity and /dev/shm. */
  private void cpuForm(PodSpec pod, Container c) {
    c.getResources().getRequests().remove(GPU);
    c.getResources().getLimits().remove(GPU);
    pod.setRuntimeClassName(null);
    List<Toleration> tolerations = withoutGpuTolerations(pod.getTolerations());
    pod.setTolerations(tolerations.isEmpty() ? null : tolerations);
    if (pod.getAffinity() != null && requiresGpuNode(pod.getAffinity())) {
      pod.getAffinity().setNodeAffinity(null);
      if (pod.getAffinity().getPodAffinity() == null && pod.getAffinity().getPodAntiAffinity() == null) {
        pod.setAffinity(null);
      }
    }
    Set<String> shm = c.getVolumeMounts().stream().filter(m -> "/dev/shm".equals(m.getMountPath()))
        .map(VolumeMount::getName).collect(Collectors.toSet());
    c.getVolumeMounts().removeIf(m -> shm.contains(m.getName()));
    pod.getVolumes().removeIf(v -> shm.contains(v.getName()));
  }

  private List<Toleration> withoutGpuTolerations(List<Toleration> existing) {
    Set<String> gpuKeys = settings.tolerations().stream().map(Toleration::getKey).collect(Collectors.toSet());
    gpuKeys.add(GPU);
    List<Toleration> kept = new ArrayList<>(existing == null ? List.of() : existing);
    kept.removeIf(t -> gpuKeys.contains(t.getKey()));
    return kept;
  }

  private static boolean requiresGpuNode(Affinity affinity) {
    var nodeAffinity = affinity.getNodeAffinity();
    if (nodeAffinity == null || nodeAffinity.getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
      return false;
    }
    var terms = nodeAffinity.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
    return terms != null && !terms.isEmpty() && terms.stream().allMatch(t -> t.getMatchExpressions() != null
        && t.getMatchExpressions().stream().anyMatch(r -> GPU_NODE_LABEL.equals(r.getKey())
            && "In".equals(r.getOperator()) && List.of("true").equals(r.getValues())));
  }

  private static void setEnv(Container c, EnvVar env) {
    List<EnvVar> vars = new ArrayList<>(c.getEnv() == null ? List.of() : c.getEnv());
    vars.removeIf(e -> e.getName().equals(env.getName()));
    vars.add(0, env);
    c.setEnv(vars);
  }

  private static void addVolume(PodSpec pod, Volume volume) {
    List<Volume> volumes = new ArrayList<>(pod.getVolumes() == null ? List.of() : pod.getVolumes());
    volumes.removeIf(v -> v.getName().equals(volume.getName()));
    volumes.add(volume);
    pod.setVolumes(volumes);
  }

  private static void addMount(Container c, VolumeMount mount) {
    List<VolumeMount> mounts = new ArrayList<>(c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts());
    mounts.removeIf(m -> m.getMountPath().equals(mount.getMountPath()));
    mounts.add(mount);
    c.setVolumeMounts(mounts);
  }

  private static Map<String, String> merged(Map<String, String> base, Map<String, String> over) {
    Map<String, String> m = new LinkedHashMap<>(base == null ? Map.of() : base);
    m.putAll(over);
    return m;
  }

  /** The image of {@code containerName} in a pod, for a trainer that runs its Jobs on its own image. */
  static Optional<String> imageOf(io.fabric8.kubernetes.api.model.Pod pod, String containerName) {
    if (pod == null || pod.getSpec() == null || pod.getSpec().getContainers() == null) {
      return Optional.empty();
    }
    return pod.getSpec().getContainers().stream().filter(c -> containerName.equals(c.getName())).findFirst()
        .or(() -> pod.getSpec().getContainers().stream().findFirst()).map(Container::getImage);
  }
}
