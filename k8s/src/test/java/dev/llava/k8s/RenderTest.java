package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RenderTest {

  static List<String> overlays() {
    return Cluster.overlayNames();
  }

  @Test
  void thereAreDevAndGpuOverlays() {
    assertEquals(List.of("dev", "gpu"), overlays());
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyRenderedObjectIsStoredByTheApiServer(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    assertFalse(cluster.rendered.isEmpty(), overlay + " rendered no objects");
    Map<String, Long> expected = countByKind(cluster.rendered);
    Map<String, Long> stored = new TreeMap<>();
    for (HasMetadata o : cluster.rendered) {
      String key = o.getApiVersion() + " " + o.getKind();
      if (stored.containsKey(key)) {
        continue;
      }
      List<? extends HasMetadata> back = o instanceof GenericKubernetesResource
          ? cluster.custom(o.getApiVersion(), o.getKind())
          : o.getMetadata().getNamespace() == null
              ? cluster.client.resources(o.getClass()).list().getItems()
              : cluster.list(o.getClass());
      stored.put(key, (long) back.size());
    }
    assertEquals(expected, stored, overlay + ": objects per kind, rendered vs read back from the API server");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everythingLivesInTheLlavaNamespace(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    assertEquals("llava", cluster.namespace);
    List<String> clusterScoped = cluster.rendered.stream().filter(o -> o.getMetadata().getNamespace() == null)
        .map(Cluster::describe).collect(Collectors.toList());
    assertEquals(List.of("Namespace llava"), clusterScoped, overlay + ": cluster-scoped objects");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyObjectIsLabelledPartOfLlava(String overlay) {
    for (HasMetadata o : Cluster.of(overlay).rendered) {
      if (o.getKind().equals("Namespace")) {
        continue;
      }
      assertEquals("llava", o.getMetadata().getLabels().get("app.kubernetes.io/part-of"),
          overlay + ": " + Cluster.describe(o) + " label app.kubernetes.io/part-of");
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void imagesComeFromTheOverlaysImageOverrides(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    for (Deployment d : cluster.list(Deployment.class)) {
      for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
        String expected = "llava/" + d.getMetadata().getName() + ":0.1.0-SNAPSHOT";
        assertTrue(c.getImage().endsWith(expected),
            overlay + ": Deployment " + d.getMetadata().getName() + " image: expected ..." + expected + ", found "
                + c.getImage());
      }
    }
  }

  private static Map<String, Long> countByKind(List<HasMetadata> objects) {
    return objects.stream().collect(Collectors.groupingBy(o -> o.getApiVersion() + " " + o.getKind(), TreeMap::new,
        Collectors.counting()));
  }
}
