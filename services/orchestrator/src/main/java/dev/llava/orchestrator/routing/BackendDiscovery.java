package dev.llava.orchestrator.routing;

import dev.llava.orchestrator.config.OrchestratorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fills the backend pools at startup: from the static {@code host:port} lists, or by watching the
 * EndpointSlices of the two backend Services ({@code discovery.mode=kubernetes}). The Kubernetes client is
 * only created in the latter mode.
 */
@ApplicationScoped
public class BackendDiscovery {
  private final OrchestratorConfig config;
  private final BackendClient backends;
  private final Instance<KubernetesClient> kubernetes;
  private final List<EndpointSliceWatcher> watchers = new ArrayList<>();

  @Inject
  public BackendDiscovery(OrchestratorConfig config, BackendClient backends, Instance<KubernetesClient> kubernetes) {
    this.config = config;
    this.backends = backends;
    this.kubernetes = kubernetes;
  }

  void onStart(@Observes StartupEvent event) {
    String mode = config.discovery().mode().toLowerCase(Locale.ROOT);
    switch (mode) {
      case "static" -> {
        backends.encoders().update(config.visionEncoders().orElse(List.of()));
        backends.generators().update(config.generators().orElse(List.of()));
      }
      case "kubernetes" -> {
        KubernetesClient client = kubernetes.get();
        String namespace = config.discovery().namespace()
            .orElseGet(() -> client.getNamespace() != null ? client.getNamespace() : "default");
        watchers.add(new EndpointSliceWatcher(client, namespace, config.discovery().visionEncoderService(),
            config.discovery().portName(), backends.encoders()::update));
        watchers.add(new EndpointSliceWatcher(client, namespace, config.discovery().generatorService(),
            config.discovery().portName(), backends.generators()::update));
      }
      default -> throw new IllegalArgumentException(
          "llava.orchestrator.discovery.mode must be 'static' or 'kubernetes', got '" + mode + "'");
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    watchers.forEach(EndpointSliceWatcher::close);
    watchers.clear();
  }
}
