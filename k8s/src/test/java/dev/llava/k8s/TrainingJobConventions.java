package dev.llava.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The conventions of the training Jobs the trainer's Kubernetes runner creates, as documented in
 * {@code k8s/base/trainer-job-template.yaml} (shipped to the trainer as ConfigMap training-job-template).
 * The k8s tests check the template with it; the trainer's tests check the Jobs its runner builds with it
 * (test dependency {@code dev.llava:llava-k8s:test-jar}).
 *
 * <pre>{@code
 * Job job = runner.buildJob(spec);                   // the trainer's code
 * TrainingJobConventions.check(job);                 // AssertionError listing every violation
 * List<String> problems = TrainingJobConventions.violations(job);
 * Job template = TrainingJobConventions.template();  // the shipped template, as a fabric8 Job
 * }</pre>
 */
public final class TrainingJobConventions {
  public static final String PART_OF_LABEL = "app.kubernetes.io/part-of";
  public static final String PART_OF = "llava";
  public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
  public static final String COMPONENT = "training-job";
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "llava-trainer";
  /** The trainer's job id, also the suffix of the Job name. */
  public static final String JOB_ID_LABEL = "llava.dev/job-id";
  public static final String NAME_PREFIX = "llava-train-";
  /** Job pods run as this ServiceAccount: no RBAC, no token. */
  public static final String SERVICE_ACCOUNT = "llava-training-job";
  public static final String MODELS_CLAIM = "llava-models";
  public static final String MODELS_MOUNT = "/models";
  /** Classpath location of the template (the k8s test-jar carries it). */
  public static final String TEMPLATE_RESOURCE = "dev/llava/k8s/trainer-job-template.yaml";

  /** Kubernetes names and label values: lower-case alphanumerics and '-', alphanumeric at both ends. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final int MAX_NAME = 63;

  private TrainingJobConventions() {}

  /** The labels a training Job and its pods carry. */
  public static Map<String, String> labels(String jobId) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(PART_OF_LABEL, PART_OF);
    labels.put(COMPONENT_LABEL, COMPONENT);
    labels.put(MANAGED_BY_LABEL, MANAGED_BY);
    labels.put(JOB_ID_LABEL, jobId);
    return labels;
  }

  /** The label selector that lists or watches every training Job (and its pods). */
  public static String selector() {
    return PART_OF_LABEL + "=" + PART_OF + "," + COMPONENT_LABEL + "=" + COMPONENT;
  }

  /** The shipped template, k8s/base/trainer-job-template.yaml. */
  public static Job template() {
    try (InputStream in = TrainingJobConventions.class.getClassLoader().getResourceAsStream(TEMPLATE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(TEMPLATE_RESOURCE + " is not on the classpath:"
            + " depend on dev.llava:llava-k8s:test-jar");
      }
      return new KubernetesSerialization().unmarshal(in, Job.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Throws an AssertionError naming every violation, or returns when the Job conforms. */
  public static void check(Job job) {
    List<String> violations = violations(job);
    if (!violations.isEmpty()) {
      throw new AssertionError("Job " + job.getMetadata().getName() + " breaks the training Job conventions"
          + " (k8s/base/trainer-job-template.yaml):\n  - " + String.join("\n  - ", violations));
    }
  }

  /** Every way the Job departs from the conventions; empty when it conforms. */
  public static List<String> violations(Job job) {
    List<String> v = new ArrayList<>();
    ObjectMeta meta = job.getMetadata();
    String jobId = meta.getLabels() == null ? null : meta.getLabels().get(JOB_ID_LABEL);
    if (jobId == null || !DNS_LABEL.matcher(jobId).matches()) {
      v.add("label " + JOB_ID_LABEL + ": expected a lower-case DNS label, found " + jobId);
    }
    String expectedName = NAME_PREFIX + jobId;
    if (!expectedName.equals(meta.getName())) {
      v.add("name: expected " + expectedName + ", found " + meta.getName());
    }
    if (meta.getName() != null && meta.getName().length() > MAX_NAME) {
      v.add("name: expected at most " + MAX_NAME + " characters, found " + meta.getName().length());
    }
    requireLabels(v, "Job", meta.getLabels(), jobId);
    if (job.getSpec() == null || job.getSpec().getTemplate() == null) {
      v.add("spec.template: expected a pod template, found none");
      return v;
    }
    requireLabels(v, "pod template", job.getSpec().getTemplate().getMetadata() == null ? null
        : job.getSpec().getTemplate().getMetadata().getLabels(), jobId);
    expect(v, "spec.backoffLimit (the trainer owns retries)", 0, job.getSpec().getBackoffLimit());
    positive(v, "spec.ttlSecondsAfterFinished", job.getSpec().getTtlSecondsAfterFinished());
    positive(v, "spec.activeDeadlineSeconds", job.getSpec().getActiveDeadlineSeconds());

    PodSpec pod = job.getSpec().getTemplate().getSpec();
    expect(v, "serviceAccountName", SERVICE_ACCOUNT, pod.getServiceAccountName());
    expect(v, "automountServiceAccountToken", false, pod.getAutomountServiceAccountToken());
    expect(v, "restartPolicy", "Never", pod.getRestartPolicy());
    if (pod.getContainers() == null || pod.getContainers().size() != 1) {
      int count = pod.getContainers() == null ? 0 : pod.getContainers().size();
      v.add("containers: expected exactly one, found " + count);
    } else {
      Container c = pod.getContainers().get(0);
      for (String kind : new String[] {"requests", "limits"}) {
        Map<String, Quantity> q = c.getResources() == null ? null
            : kind.equals("requests") ? c.getResources().getRequests() : c.getResources().getLimits();
        for (String resource : new String[] {"cpu", "memory"}) {
          if (q == null || q.get(resource) == null) {
            v.add("container " + c.getName() + " resources." + kind + "." + resource + ": expected set, found unset");
          }
        }
      }
      requireModelsVolume(v, pod, c);
    }
    v.addAll(PodConventions.securityViolations("pod", pod));
    v.addAll(PodConventions.djlViolations("pod", pod));
    v.addAll(PodConventions.gpuViolations("pod", pod));
    return v;
  }

  private static void requireLabels(List<String> v, String where, Map<String, String> labels, String jobId) {
    Map<String, String> found = labels == null ? Map.of() : labels;
    labels(jobId).forEach((k, expected) -> {
      if (!Objects.equals(expected, found.get(k))) {
        v.add(where + " label " + k + ": expected " + expected + ", found " + found.get(k));
      }
    });
  }

  private static void requireModelsVolume(List<String> v, PodSpec pod, Container c) {
    String volumeName = pod.getVolumes() == null ? null : pod.getVolumes().stream()
        .filter(vol -> vol.getPersistentVolumeClaim() != null
            && MODELS_CLAIM.equals(vol.getPersistentVolumeClaim().getClaimName()))
        .map(Volume::getName).findFirst().orElse(null);
    if (volumeName == null) {
      v.add("volumes: expected one from PersistentVolumeClaim " + MODELS_CLAIM + ", found none");
      return;
    }
    boolean mounted = c.getVolumeMounts() != null && c.getVolumeMounts().stream()
        .anyMatch(m -> volumeName.equals(m.getName()) && MODELS_MOUNT.equals(m.getMountPath()));
    if (!mounted) {
      List<String> paths = c.getVolumeMounts() == null ? List.of()
          : c.getVolumeMounts().stream().map(VolumeMount::getMountPath).toList();
      v.add("container " + c.getName() + ": expected volume " + volumeName + " mounted at " + MODELS_MOUNT
          + ", found " + paths);
    }
  }

  private static void positive(List<String> v, String what, Number found) {
    if (found == null || found.longValue() <= 0) {
      v.add(what + ": expected a positive number, found " + found);
    }
  }

  private static void expect(List<String> v, String what, Object expected, Object found) {
    if (!Objects.equals(expected, found)) {
      v.add(what + ": expected " + expected + ", found " + found);
    }
  }
}
