package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Non-root, read-only, unprivileged pods; API tokens only where the API is used; keys only from a Secret. */
class PodSecurityTest {
  /** Whether each service's pods get an API token: only the two with RBAC do. */
  static final Map<String, Boolean> TOKEN = Map.of(
      "orchestrator", true, "trainer", true, "vision-encoder", false, "projector-lm", false);

  static List<String> overlays() {
    return Cluster.overlayNames();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void noContainerRunsAsRootOrCanEscalate(String overlay) {
    for (Deployment d : Cluster.of(overlay).list(Deployment.class)) {
      assertEquals(List.of(),
          PodConventions.securityViolations(WorkloadsTest.where(overlay, d), d.getSpec().getTemplate().getSpec()));
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void eachServiceHasItsOwnServiceAccountAndATokenOnlyIfItCallsTheApi(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    for (Deployment d : cluster.list(Deployment.class)) {
      String name = d.getMetadata().getName();
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      assertEquals(name, pod.getServiceAccountName(), WorkloadsTest.where(overlay, d) + " serviceAccountName");
      ServiceAccount sa = cluster.get(ServiceAccount.class, name);
      boolean mounted = pod.getAutomountServiceAccountToken() != null ? pod.getAutomountServiceAccountToken()
          : sa.getAutomountServiceAccountToken() == null || sa.getAutomountServiceAccountToken();
      assertEquals(TOKEN.get(name), mounted, WorkloadsTest.where(overlay, d) + " mounts an API token");
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void apiKeysComeFromAnOptionalSecretThatIsNeverCommitted(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    EnvVar keys = WorkloadsTest.only(cluster.deployment("orchestrator")).getEnv().stream()
        .filter(e -> e.getName().equals("LLAVA_ORCHESTRATOR_AUTH_API_KEYS")).findFirst()
        .orElseThrow(() -> new AssertionError(overlay + ": orchestrator has no LLAVA_ORCHESTRATOR_AUTH_API_KEYS"));
    assertEquals(null, keys.getValue(), overlay + ": API keys as a literal value");
    assertEquals("llava-api-keys", keys.getValueFrom().getSecretKeyRef().getName());
    assertEquals(true, keys.getValueFrom().getSecretKeyRef().getOptional());
    assertEquals(List.of(), cluster.list(Secret.class), overlay + ": Secrets in the manifests");
  }
}
