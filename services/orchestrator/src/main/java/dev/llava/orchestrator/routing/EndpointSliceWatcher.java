package dev.llava.orchestrator.routing;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Keeps a backend's replica set equal to the ready addresses in the EndpointSlices of one Kubernetes Service
 * (label {@code kubernetes.io/service-name}). Every add, update or delete recomputes the whole set from the
 * informer's cache, so missed or reordered events cannot leave a stale endpoint behind.
 */
public final class EndpointSliceWatcher implements AutoCloseable {
  static final String SERVICE_LABEL = "kubernetes.io/service-name";

  private final String service;
  private final Optional<String> portName;
  private final Consumer<Set<String>> sink;
  private final SharedIndexInformer<EndpointSlice> informer;

  public EndpointSliceWatcher(KubernetesClient client, String namespace, String service, Optional<String> portName,
      Consumer<Set<String>> sink) {
    this.service = service;
    this.portName = portName;
    this.sink = sink;
    this.informer = client.discovery().v1().endpointSlices().inNamespace(namespace)
        .withLabel(SERVICE_LABEL, service)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(EndpointSlice slice) {
            publish();
          }

          @Override
          public void onUpdate(EndpointSlice before, EndpointSlice after) {
            publish();
          }

          @Override
          public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
            publish();
          }
        }, 60_000L);
    publish();
  }

  private synchronized void publish() {
    sink.accept(addresses(informer.getStore().list(), portName));
  }

  /** {@code host:port} of every ready endpoint address of the slices. */
  static Set<String> addresses(List<EndpointSlice> slices, Optional<String> portName) {
    Set<String> out = new TreeSet<>();
    for (EndpointSlice slice : slices) {
      Integer port = port(slice, portName);
      if (port == null || slice.getEndpoints() == null) {
        continue;
      }
      for (Endpoint endpoint : slice.getEndpoints()) {
        boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
            || endpoint.getConditions().getReady();
        boolean terminating = endpoint.getConditions() != null
            && Boolean.TRUE.equals(endpoint.getConditions().getTerminating());
        if (!ready || terminating || endpoint.getAddresses() == null) {
          continue;
        }
        for (String address : endpoint.getAddresses()) {
          out.add((address.contains(":") ? "[" + address + "]" : address) + ":" + port);
        }
      }
    }
    return out;
  }

  private static Integer port(EndpointSlice slice, Optional<String> portName) {
    if (slice.getPorts() == null || slice.getPorts().isEmpty()) {
      return null;
    }
    for (EndpointPort p : slice.getPorts()) {
      if (portName.isEmpty() || portName.get().equals(p.getName())) {
        return p.getPort();
      }
    }
    return null;
  }

  public String service() {
    return service;
  }

  @Override
  public void close() {
    informer.close();
  }
}
