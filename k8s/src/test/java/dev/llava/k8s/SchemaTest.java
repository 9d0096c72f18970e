package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every field of every built-in object is one the Kubernetes API knows: fabric8 parses an unknown field (a typo
 * such as readOnlyRootFileSystem, a field at the wrong level) into "additionalProperties" instead of failing,
 * and the API server would drop or reject it. Custom resources have no schema here and are left out.
 */
class SchemaTest {

  static List<String> overlays() {
    return Cluster.overlayNames();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void builtInObjectsHaveNoUnknownFields(String overlay) {
    List<String> unknown = new ArrayList<>();
    for (HasMetadata o : Cluster.of(overlay).rendered) {
      if (!(o instanceof GenericKubernetesResource)) {
        collectUnknown(o, Cluster.describe(o), unknown);
      }
    }
    assertEquals(List.of(), unknown, overlay + ": fields the Kubernetes API does not know");
  }

  private static void collectUnknown(Object node, String path, List<String> unknown) {
    if (node == null) {
      return;
    }
    if (node instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        collectUnknown(item, path + "[" + i++ + "]", unknown);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> collectUnknown(v, path + "." + k, unknown));
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
      if (field.equals("additionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          unknown.add(path + ": " + extra.keySet());
        }
      } else {
        collectUnknown(value, path + "." + field, unknown);
      }
    }
  }
}
