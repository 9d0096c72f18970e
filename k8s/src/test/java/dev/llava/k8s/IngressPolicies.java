package dev.llava.k8s;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ingress half of Kubernetes NetworkPolicy semantics, enough to ask "may this pod connect to that pod on
 * this port?" of the rendered policies: a pod selected by no Ingress policy accepts everything; a selected pod
 * accepts a connection when some selecting policy has a rule whose peers (none = any) and ports (none = all) match.
 * Peers: podSelector alone = pods of the policy's namespace; namespaceSelector alone = every pod of the matching
 * namespaces; both = matching pods in matching namespaces. ipBlock peers are not modelled (none are used).
 */
final class IngressPolicies {
  /** A pod that opens a connection. */
  record Pod(String namespace, Map<String, String> labels) {
    Map<String, String> namespaceLabels() {
      return Map.of("kubernetes.io/metadata.name", namespace);
    }
  }

  private final String namespace;
  private final List<NetworkPolicy> policies;

  IngressPolicies(String namespace, List<NetworkPolicy> policies) {
    this.namespace = namespace;
    this.policies = policies;
  }

  /** Whether the policies select (isolate) pods with these labels in the policies' namespace. */
  boolean isolates(Map<String, String> targetLabels) {
    return policies.stream().anyMatch(p -> isIngress(p) && matches(p.getSpec().getPodSelector(), targetLabels));
  }

  boolean allows(Pod from, Map<String, String> targetLabels, int port) {
    List<NetworkPolicy> selecting = policies.stream()
        .filter(p -> isIngress(p) && matches(p.getSpec().getPodSelector(), targetLabels)).toList();
    if (selecting.isEmpty()) {
      return true;
    }
    for (NetworkPolicy p : selecting) {
      for (NetworkPolicyIngressRule rule : nullToEmpty(p.getSpec().getIngress())) {
        if (portMatches(rule.getPorts(), port) && peerMatches(rule.getFrom(), from)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean peerMatches(List<NetworkPolicyPeer> peers, Pod from) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPeer peer : peers) {
      if (peer.getIpBlock() != null) {
        throw new AssertionError("ipBlock peers are not modelled by this test: " + peer);
      }
      boolean namespaceOk = peer.getNamespaceSelector() == null
          ? from.namespace().equals(namespace)
          : matches(peer.getNamespaceSelector(), from.namespaceLabels());
      boolean podOk = peer.getPodSelector() == null || matches(peer.getPodSelector(), from.labels());
      if (namespaceOk && podOk) {
        return true;
      }
    }
    return false;
  }

  private static boolean portMatches(List<NetworkPolicyPort> ports, int port) {
    if (ports == null || ports.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPort p : ports) {
      if (p.getPort() == null) {
        return true;
      }
      if (p.getPort().getStrVal() != null) {
        throw new AssertionError("named ports are not modelled by this test: " + p.getPort().getStrVal());
      }
      int end = p.getEndPort() != null ? p.getEndPort() : p.getPort().getIntVal();
      if (port >= p.getPort().getIntVal() && port <= end) {
        return true;
      }
    }
    return false;
  }

  private static boolean isIngress(NetworkPolicy p) {
    List<String> types = p.getSpec().getPolicyTypes();
    return types == null || types.isEmpty() ? true : types.contains("Ingress");
  }

  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    Map<String, String> actual = labels == null ? Map.of() : new HashMap<>(labels);
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(actual.get(e.getKey()))) {
          return false;
        }
      }
    }
    for (LabelSelectorRequirement r : nullToEmpty(selector.getMatchExpressions())) {
      String value = actual.get(r.getKey());
      boolean ok = switch (r.getOperator()) {
        case "In" -> value != null && r.getValues().contains(value);
        case "NotIn" -> value == null || !r.getValues().contains(value);
        case "Exists" -> value != null;
        case "DoesNotExist" -> value == null;
        default -> throw new AssertionError("unknown selector operator " + r.getOperator());
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
