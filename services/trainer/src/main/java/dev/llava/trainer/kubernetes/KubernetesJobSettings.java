package dev.llava.trainer.kubernetes;

import dev.llava.trainer.config.TrainerConfig;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the Kubernetes runner puts into every training Job besides the template, and how often it reads a running
 * job's metrics (llava.trainer.kubernetes.*).
 *
 * @param image the trainer image; empty: read from this pod ({@code podName}, container {@code containerName})
 * @param gpuTolerations kubectl taint syntax {@code key[=value]:effect}; only GPU pods get them
 * @param metricsPollInterval between two reads of a running job's {@code metrics.jsonl}
 */
public record KubernetesJobSettings(Optional<String> namespace, Optional<String> image, Optional<String> podName,
    String containerName, List<String> command, String serviceAccount, int ttlSecondsAfterFinished,
    long activeDeadlineSeconds, String runtimeClassName, List<String> gpuTolerations, Map<String, String> nodeSelector,
    Optional<String> cpuRequest, Optional<String> cpuLimit, Optional<String> memoryRequest,
    Optional<String> memoryLimit, Duration metricsPollInterval) {

  public static KubernetesJobSettings from(TrainerConfig.Kubernetes k) {
    return new KubernetesJobSettings(k.namespace(), k.image(), k.podName(), k.containerName(), k.command(),
        k.serviceAccount(), k.ttlSecondsAfterFinished(), k.activeDeadlineSeconds(), k.runtimeClassName(),
        k.gpuTolerations(), k.nodeSelector(), k.cpuRequest(), k.cpuLimit(), k.memoryRequest(), k.memoryLimit(),
        k.metricsPollInterval());
  }

  /** The GPU tolerations as objects: {@code key:effect} tolerates any value (Exists), {@code key=value:effect} one. */
  public List<Toleration> tolerations() {
    return gpuTolerations.stream().map(KubernetesJobSettings::toleration).toList();
  }

  static Toleration toleration(String spec) {
    int colon = spec.lastIndexOf(':');
    if (colon <= 0 || colon == spec.length() - 1) {
      throw new IllegalArgumentException("llava.trainer.kubernetes.gpu-tolerations: expected key[=value]:effect"
          + " (for example nvidia.com/gpu:NoSchedule), got \"" + spec + "\"");
    }
    String keyValue = spec.substring(0, colon);
    String effect = spec.substring(colon + 1);
    int eq = keyValue.indexOf('=');
    TolerationBuilder t = new TolerationBuilder().withEffect(effect);
    return (eq < 0 ? t.withKey(keyValue).withOperator("Exists")
        : t.withKey(keyValue.substring(0, eq)).withOperator("Equal").withValue(keyValue.substring(eq + 1))).build();
  }
}
