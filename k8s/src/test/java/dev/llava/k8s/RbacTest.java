package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Least privilege: two namespaced Roles with exactly these rules, bound to their own ServiceAccounts only. */
class RbacTest {
  /** Role -> "apiGroup/resource" -> verbs. */
  static final Map<String, Map<String, Set<String>>> EXPECTED = Map.of(
      "trainer", Map.of(
          "batch/jobs", Set.of("create", "get", "list", "watch", "delete"),
          "/pods", Set.of("get", "list", "watch"),
          "/pods/log", Set.of("get")),
      "orchestrator", Map.of(
          "discovery.k8s.io/endpointslices", Set.of("get", "list", "watch")));

  static List<String> overlays() {
    return Cluster.overlayNames();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void rolesGrantExactlyTheVerbsTheServicesUse(String overlay) {
    Map<String, Map<String, Set<String>>> found = new TreeMap<>();
    for (Role role : Cluster.of(overlay).list(Role.class)) {
      Map<String, Set<String>> rules = new TreeMap<>();
      for (PolicyRule rule : role.getRules()) {
        for (String group : rule.getApiGroups()) {
          for (String resource : rule.getResources()) {
            rules.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).addAll(rule.getVerbs());
          }
        }
        assertFalse(Stream.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs()).flatMap(List::stream)
            .anyMatch(s -> s.contains("*")), overlay + ": Role " + role.getMetadata().getName() + " has a wildcard");
      }
      found.put(role.getMetadata().getName(), rules);
    }
    assertEquals(sorted(EXPECTED), found, overlay + ": Roles");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void eachRoleIsBoundToItsOwnServiceAccountInTheNamespace(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    Set<String> bound = new TreeSet<>();
    for (RoleBinding binding : cluster.list(RoleBinding.class)) {
      String name = binding.getMetadata().getName();
      assertEquals("Role", binding.getRoleRef().getKind(), overlay + ": RoleBinding " + name + " roleRef.kind");
      assertEquals(name, binding.getRoleRef().getName(), overlay + ": RoleBinding " + name + " roleRef.name");
      assertEquals(1, binding.getSubjects().size(), overlay + ": RoleBinding " + name + " subjects");
      Subject subject = binding.getSubjects().get(0);
      assertEquals("ServiceAccount", subject.getKind());
      assertEquals(name, subject.getName(), overlay + ": RoleBinding " + name + " subject");
      if (subject.getNamespace() != null) {
        assertEquals(cluster.namespace, subject.getNamespace());
      }
      bound.add(name);
    }
    assertEquals(EXPECTED.keySet(), bound, overlay + ": bound Roles");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void nothingIsGrantedClusterWide(String overlay) {
    Cluster cluster = Cluster.of(overlay);
    assertEquals(List.of(), cluster.client.resources(ClusterRole.class).list().getItems(), overlay + ": ClusterRoles");
    assertEquals(List.of(), cluster.client.resources(ClusterRoleBinding.class).list().getItems(),
        overlay + ": ClusterRoleBindings");
  }

  private static Map<String, Map<String, Set<String>>> sorted(Map<String, Map<String, Set<String>>> m) {
    Map<String, Map<String, Set<String>>> out = new TreeMap<>();
    m.forEach((role, rules) -> {
      Map<String, Set<String>> r = new TreeMap<>();
      rules.forEach((k, v) -> r.put(k, new TreeSet<>(v)));
      out.put(role, r);
    });
    return out;
  }
}
