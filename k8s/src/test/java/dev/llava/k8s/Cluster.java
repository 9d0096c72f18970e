package dev.llava.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One overlay as a cluster would get it: rendered by {@code kubectl kustomize}, parsed by the fabric8 client and
 * created on a fabric8 mock API server in CRUD mode (custom resources as {@link GenericKubernetesResource}, after
 * their CustomResourceDefinitions). Tests read the objects back from that server. One per overlay per JVM.
 */
final class Cluster {
  private static final Map<String, Cluster> CLUSTERS = new ConcurrentHashMap<>();
  /** Held so the level sticks: the mock server logs every request at INFO. */
  private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_SERVER_LOG.setLevel(Level.WARNING);
  }

  final String overlay;
  /** What kustomize printed. */
  final String yaml;
  /** Every document of {@link #yaml}, as parsed by the client (typed, or generic for custom resources). */
  final List<HasMetadata> rendered;
  /** The one namespace every namespaced object is in. */
  final String namespace;
  final KubernetesClient client;
  private final KubernetesMockServer server;
  /** "apiVersion/kind" of the custom resources whose CRDs the API server knows. */
  private final Set<String> customKinds = new HashSet<>();

  /** The overlays under k8s/overlays, by directory name. */
  static List<String> overlayNames() {
    try (Stream<Path> dirs = Files.list(Paths.k8sDir().resolve("overlays"))) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
          .map(d -> d.getFileName().toString()).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Cluster of(String overlay) {
    return CLUSTERS.computeIfAbsent(overlay, Cluster::new);
  }

  private Cluster(String overlay) {
    this.overlay = overlay;
    this.yaml = Kubectl.kustomize(Paths.k8sDir().resolve("overlays").resolve(overlay));
    this.server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init();
    this.client = server.createClient();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      client.close();
      server.destroy();
    }));
    this.rendered = List.copyOf(client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items());
    Set<String> namespaces = rendered.stream().map(o -> o.getMetadata().getNamespace())
        .filter(Objects::nonNull).collect(Collectors.toSet());
    if (namespaces.size() != 1) {
      throw new AssertionError(overlay + ": expected every namespaced object in one namespace, found " + namespaces);
    }
    this.namespace = namespaces.iterator().next();
    apply();
  }

  private void apply() {
    Map<String, CustomResourceDefinition> definitions = new LinkedHashMap<>();
    for (HasMetadata o : rendered) {
      if (o instanceof GenericKubernetesResource) {
        definitions.computeIfAbsent(o.getApiVersion() + "/" + o.getKind(), k -> definitionOf(o));
      }
    }
    definitions.values().forEach(crd -> client.resource(crd).create());
    customKinds.addAll(definitions.keySet());
    rendered.stream().filter(o -> o instanceof Namespace).forEach(o -> client.resource(o).create());
    rendered.stream().filter(o -> !(o instanceof Namespace)).forEach(o -> {
      try {
        client.resource(o).create();
      } catch (RuntimeException e) {
        throw new AssertionError(overlay + ": the API server refused " + describe(o) + ": " + e.getMessage(), e);
      }
    });
  }

  /** A namespaced CRD for a custom kind, plural as the operators name theirs (kafkatopics, scaledobjects...). */
  private static CustomResourceDefinition definitionOf(HasMetadata example) {
    String group = example.getApiVersion().substring(0, example.getApiVersion().indexOf('/'));
    String version = example.getApiVersion().substring(example.getApiVersion().indexOf('/') + 1);
    String plural = example.getKind().toLowerCase(Locale.ROOT) + "s";
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName(plural + "." + group).endMetadata()
        .withNewSpec().withGroup(group).withScope("Namespaced")
        .withNewNames().withKind(example.getKind()).withPlural(plural)
        .withSingular(example.getKind().toLowerCase(Locale.ROOT)).endNames()
        .addNewVersion().withName(version).withServed(true).withStorage(true).endVersion()
        .endSpec().build();
  }

  /** Objects of a built-in kind in the overlay's namespace, read back from the API server. */
  <T extends HasMetadata> List<T> list(Class<T> type) {
    return client.resources(type).inNamespace(namespace).list().getItems();
  }

  /** Custom resources, read back from the API server; none when the overlay has no resource of that kind. */
  List<GenericKubernetesResource> custom(String apiVersion, String kind) {
    if (!customKinds.contains(apiVersion + "/" + kind)) {
      return List.of();
    }
    return client.genericKubernetesResources(apiVersion, kind).inNamespace(namespace).list().getItems();
  }

  <T extends HasMetadata> T get(Class<T> type, String name) {
    T found = client.resources(type).inNamespace(namespace).withName(name).get();
    if (found == null) {
      throw new AssertionError(overlay + ": expected " + type.getSimpleName() + " " + name + " in namespace "
          + namespace + ", found none");
    }
    return found;
  }

  Deployment deployment(String name) {
    return get(Deployment.class, name);
  }

  static String describe(HasMetadata o) {
    return o.getKind() + " " + o.getMetadata().getName();
  }

  @Override
  public String toString() {
    return overlay;
  }
}
