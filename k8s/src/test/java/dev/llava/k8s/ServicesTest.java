package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A Service per Deployment; headless where the orchestrator's gRPC client balances per pod. */
class ServicesTest {
  static final Set<String> HEADLESS = Set.of("vision-encoder", "projector-lm");

  static List<String> overlays() {
    return Cluster.overlayNames();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void grpcBackendsAreHeadlessAndTheOthersAreNot(String overlay) {
    for (Service s : Cluster.of(overlay).list(Service.class)) {
      String name = s.getMetadata().getName();
      if (HEADLESS.contains(name)) {
        assertEquals("None", s.getSpec().getClusterIP(), overlay + ": Service " + name + " clusterIP");
      } else {
        assertNotEquals("None", s.getSpec().getClusterIP(), overlay + ": Service " + name + " is headless");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void eachServiceSelectsOnlyItsDeploymentsPodsOnTheirHttpPort(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    List<Service> services = cluster.list(Service.class);
    Set<String> names = Set.copyOf(services.stream().map(s -> s.getMetadata().getName()).toList());
    assertEquals(WorkloadsTest.PORTS.keySet(), names, overlay + ": Services");
    for (Service s : services) {
      String name = s.getMetadata().getName();
      Map<String, String> selector = s.getSpec().getSelector();
      for (Deployment d : cluster.list(Deployment.class)) {
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        boolean selects = podLabels.entrySet().containsAll(selector.entrySet());
        assertEquals(d.getMetadata().getName().equals(name), selects,
            overlay + ": Service " + name + " selecting the pods of Deployment " + d.getMetadata().getName());
      }
      ServicePort port = s.getSpec().getPorts().get(0);
      assertEquals(1, s.getSpec().getPorts().size(), overlay + ": Service " + name + " ports");
      assertEquals(WorkloadsTest.PORTS.get(name), port.getPort(), overlay + ": Service " + name + " port");
      assertEquals("http", port.getTargetPort().getStrVal(), overlay + ": Service " + name + " targetPort");
    }
  }
}
