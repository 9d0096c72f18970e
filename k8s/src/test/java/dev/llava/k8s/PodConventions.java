package dev.llava.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Rules every llava pod follows, whether a service Deployment or a training Job: pod security, the writable
 * paths and offline mode DJL needs on a read-only root filesystem, and the GPU scheduling conventions of
 * components/gpu. Each method returns violations ("what: expected X, found Y"), empty when the pod conforms.
 */
public final class PodConventions {
  /** The user the Quarkus container images run as. */
  public static final long RUN_AS_USER = 185;
  public static final String GPU_RESOURCE = "nvidia.com/gpu";
  public static final String GPU_RUNTIME_CLASS = "nvidia";
  /** Taint key of the GPU pool's nodes. */
  public static final String GPU_TAINT = "nvidia.com/gpu";
  /** Node label set by NVIDIA GPU feature discovery on nodes with a GPU. */
  public static final String GPU_NODE_LABEL = "nvidia.com/gpu.present";
  public static final String DJL_CACHE_ENV = "DJL_CACHE_DIR";

  private PodConventions() {}

  /** Non-root 185, seccomp RuntimeDefault, no escalation, no capabilities, read-only root, nothing from the host. */
  public static List<String> securityViolations(String where, PodSpec pod) {
    List<String> v = new ArrayList<>();
    PodSecurityContext psc = Optional.ofNullable(pod.getSecurityContext()).orElseGet(PodSecurityContext::new);
    expect(v, where + " pod securityContext.runAsNonRoot", true, psc.getRunAsNonRoot());
    expect(v, where + " pod securityContext.runAsUser", RUN_AS_USER, psc.getRunAsUser());
    expect(v, where + " pod securityContext.seccompProfile.type", "RuntimeDefault",
        psc.getSeccompProfile() == null ? null : psc.getSeccompProfile().getType());
    for (String hostFlag : new String[] {"hostNetwork", "hostPID", "hostIPC"}) {
      Boolean value = hostFlag.equals("hostNetwork") ? pod.getHostNetwork()
          : hostFlag.equals("hostPID") ? pod.getHostPID() : pod.getHostIPC();
      if (Boolean.TRUE.equals(value)) {
        v.add(where + " " + hostFlag + ": expected unset or false, found true");
      }
    }
    for (Volume volume : volumes(pod)) {
      if (volume.getHostPath() != null) {
        v.add(where + " volume " + volume.getName() + ": expected no hostPath, found "
            + volume.getHostPath().getPath());
      }
    }
    for (Container c : containers(pod)) {
      String cw = where + " container " + c.getName() + " securityContext";
      SecurityContext sc = Optional.ofNullable(c.getSecurityContext()).orElseGet(SecurityContext::new);
      expect(v, cw + ".allowPrivilegeEscalation", false, sc.getAllowPrivilegeEscalation());
      expect(v, cw + ".readOnlyRootFilesystem", true, sc.getReadOnlyRootFilesystem());
      if (Boolean.TRUE.equals(sc.getPrivileged())) {
        v.add(cw + ".privileged: expected unset or false, found true");
      }
      if (sc.getRunAsNonRoot() != null && !sc.getRunAsNonRoot()) {
        v.add(cw + ".runAsNonRoot: expected unset or true, found false");
      }
      if (sc.getRunAsUser() != null && sc.getRunAsUser() == 0) {
        v.add(cw + ".runAsUser: expected unset or non-zero, found 0");
      }
      List<String> drop = sc.getCapabilities() == null ? List.of() : sc.getCapabilities().getDrop();
      List<String> add = sc.getCapabilities() == null ? List.of() : sc.getCapabilities().getAdd();
      expect(v, cw + ".capabilities.drop", List.of("ALL"), drop);
      if (add != null && !add.isEmpty()) {
        v.add(cw + ".capabilities.add: expected none, found " + add);
      }
    }
    return v;
  }

  /** DJL offline (-Dai.djl.offline=true) with /tmp and its cache dir on emptyDirs (the root is read-only). */
  public static List<String> djlViolations(String where, PodSpec pod) {
    List<String> v = new ArrayList<>();
    for (Container c : containers(pod)) {
      String cw = where + " container " + c.getName();
      String javaOptions = env(c, "JAVA_TOOL_OPTIONS");
      if (javaOptions == null || !javaOptions.contains("-Dai.djl.offline=true")) {
        v.add(cw + " JAVA_TOOL_OPTIONS: expected to contain -Dai.djl.offline=true, found " + javaOptions);
      }
      if (!isEmptyDirMount(pod, c, "/tmp")) {
        v.add(cw + ": expected an emptyDir mounted at /tmp, found " + mountPaths(c));
      }
      String cache = env(c, DJL_CACHE_ENV);
      if (cache == null) {
        v.add(cw + " " + DJL_CACHE_ENV + ": expected set (else DJL writes ~/.djl.ai on the read-only root),"
            + " found unset");
      } else if (!isEmptyDirMount(pod, c, cache)) {
        v.add(cw + ": expected an emptyDir mounted at " + DJL_CACHE_ENV + "=" + cache + ", found " + mountPaths(c));
      }
    }
    return v;
  }

  /** Whether any container asks for an NVIDIA GPU. */
  public static boolean requestsGpu(PodSpec pod) {
    return containers(pod).stream().anyMatch(c -> gpuCount(c) > 0);
  }

  /**
   * A GPU pod (nvidia.com/gpu limit > 0, request equal if set) has runtimeClassName nvidia, tolerates the GPU
   * taint, requires a node labelled nvidia.com/gpu.present=true and mounts a Memory emptyDir at /dev/shm. A pod
   * without a GPU has none of the runtime class, taint toleration and GPU node affinity.
   */
  public static List<String> gpuViolations(String where, PodSpec pod) {
    List<String> v = new ArrayList<>();
    boolean gpu = requestsGpu(pod);
    boolean runtime = GPU_RUNTIME_CLASS.equals(pod.getRuntimeClassName());
    boolean tolerates = tolerations(pod).anyMatch(t -> GPU_TAINT.equals(t.getKey())
        && ("Exists".equals(t.getOperator()) || t.getValue() != null)
        && (t.getEffect() == null || "NoSchedule".equals(t.getEffect())));
    boolean affinity = requiresGpuNode(pod);
    if (!gpu) {
      if (runtime || tolerates || affinity) {
        v.add(where + ": no container requests " + GPU_RESOURCE + " but the pod has"
            + (runtime ? " runtimeClassName nvidia" : "") + (tolerates ? " a GPU toleration" : "")
            + (affinity ? " a GPU node affinity" : "") + ": expected none of them");
      }
      return v;
    }
    for (Container c : containers(pod)) {
      Quantity limit = limits(c).get(GPU_RESOURCE);
      Quantity request = c.getResources() == null || c.getResources().getRequests() == null ? null
          : c.getResources().getRequests().get(GPU_RESOURCE);
      if (request != null && !Objects.equals(amount(request), amount(limit))) {
        v.add(where + " container " + c.getName() + " " + GPU_RESOURCE + ": expected request = limit, found request "
            + request + ", limit " + limit);
      }
    }
    expect(v, where + " runtimeClassName", GPU_RUNTIME_CLASS, pod.getRuntimeClassName());
    if (!tolerates) {
      v.add(where + ": expected a toleration for taint " + GPU_TAINT + " (operator Exists, effect NoSchedule), found "
          + pod.getTolerations());
    }
    if (!affinity) {
      v.add(where + ": expected required node affinity " + GPU_NODE_LABEL + " In [true], found "
          + pod.getAffinity());
    }
    for (Container c : containers(pod)) {
      if (gpuCount(c) > 0 && !isEmptyDirMount(pod, c, "/dev/shm", "Memory")) {
        v.add(where + " container " + c.getName() + ": expected an emptyDir with medium Memory at /dev/shm, found "
            + mountPaths(c));
      }
    }
    return v;
  }

  /** The container's nvidia.com/gpu limit, 0 when none. */
  public static long gpuCount(Container c) {
    Quantity q = limits(c).get(GPU_RESOURCE);
    return q == null ? 0 : amount(q).longValue();
  }

  static java.math.BigDecimal amount(Quantity q) {
    return q == null ? null : Quantity.getAmountInBytes(q);
  }

  static Map<String, Quantity> limits(Container c) {
    return c.getResources() == null || c.getResources().getLimits() == null ? Map.of() : c.getResources().getLimits();
  }

  static String env(Container c, String name) {
    return c.getEnv() == null ? null : c.getEnv().stream().filter(e -> name.equals(e.getName()))
        .map(EnvVar::getValue).filter(Objects::nonNull).findFirst().orElse(null);
  }

  static boolean isEmptyDirMount(PodSpec pod, Container c, String path) {
    return isEmptyDirMount(pod, c, path, null);
  }

  private static boolean isEmptyDirMount(PodSpec pod, Container c, String path, String medium) {
    for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
      if (!path.equals(m.getMountPath()) || Boolean.TRUE.equals(m.getReadOnly())) {
        continue;
      }
      for (Volume vol : volumes(pod)) {
        if (vol.getName().equals(m.getName()) && vol.getEmptyDir() != null
            && (medium == null || medium.equals(vol.getEmptyDir().getMedium()))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean requiresGpuNode(PodSpec pod) {
    if (pod.getAffinity() == null || pod.getAffinity().getNodeAffinity() == null
        || pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
      return false;
    }
    var terms = pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms();
    // Terms are ORed: every one of them must demand a GPU node.
    return !terms.isEmpty() && terms.stream().allMatch(t -> t.getMatchExpressions() != null
        && t.getMatchExpressions().stream().anyMatch(PodConventions::isGpuNodeRequirement));
  }

  private static boolean isGpuNodeRequirement(NodeSelectorRequirement r) {
    return GPU_NODE_LABEL.equals(r.getKey()) && "In".equals(r.getOperator()) && List.of("true").equals(r.getValues());
  }

  private static Stream<Toleration> tolerations(PodSpec pod) {
    return pod.getTolerations() == null ? Stream.empty() : pod.getTolerations().stream();
  }

  private static List<Container> containers(PodSpec pod) {
    return pod.getContainers() == null ? List.of() : pod.getContainers();
  }

  private static List<Volume> volumes(PodSpec pod) {
    return pod.getVolumes() == null ? List.of() : pod.getVolumes();
  }

  private static List<String> mountPaths(Container c) {
    return c.getVolumeMounts() == null ? List.of()
        : c.getVolumeMounts().stream().map(VolumeMount::getMountPath).toList();
  }

  private static void expect(List<String> violations, String what, Object expected, Object found) {
    if (!Objects.equals(expected, found)) {
      violations.add(what + ": expected " + expected + ", found " + found);
    }
  }
}
