package dev.llava.orchestrator.routing;

import static dev.llava.orchestrator.testing.Clients.chatBody;
import static dev.llava.orchestrator.testing.Clients.rest;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llava.orchestrator.testing.TestBackends;
import dev.llava.orchestrator.testing.TestBackendsResource;
import dev.llava.orchestrator.testing.TestImages;
import dev.llava.testing.KafkaTestResource;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code discovery.mode=kubernetes} against the fabric8 mock API server in CRUD mode: EndpointSlices created,
 * updated and deleted through the API change the replica sets, and requests route to what was discovered.
 */
@QuarkusTest
@TestProfile(KubernetesDiscoveryTest.Profile.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(TestBackendsResource.class)
class KubernetesDiscoveryTest {
  static final String NS = "llava";

  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "llava.orchestrator.discovery.mode", "kubernetes",
          "llava.orchestrator.discovery.namespace", NS,
          "llava.orchestrator.discovery.port-name", "grpc",
          "llava.orchestrator.kafka.pipeline.enabled", "false");
    }
  }

  @KubernetesTestServer
  KubernetesServer server;

  @Inject
  BackendClient backends;

  static EndpointSlice slice(String name, String service, int port, boolean ready, String... ips) {
    EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace(NS)
        .addToLabels(EndpointSliceWatcher.SERVICE_LABEL, service).endMetadata()
        .withAddressType("IPv4")
        .addNewPort().withName("metrics").withPort(9999).withProtocol("TCP").endPort()
        .addNewPort().withName("grpc").withPort(port).withProtocol("TCP").endPort();
    for (String ip : ips) {
      b.addNewEndpoint().withAddresses(ip).withNewConditions().withReady(ready).endConditions().endEndpoint();
    }
    return b.build();
  }

  static void awaitAddresses(EndpointPool pool, Set<String> expected) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
        .until(() -> pool.addresses().equals(expected));
  }

  @Test
  void endpointSlicesDriveTheReplicaSetsAndRouting() {
    KubernetesClient client = server.getClient();
    int encoderA = TestBackends.port(TestBackends.encoderAddresses().get(0));
    int encoderB = TestBackends.port(TestBackends.encoderAddresses().get(1));
    int generator = TestBackends.port(TestBackends.generatorAddresses().get(0));
    assertEquals(Set.of(), backends.encoders().addresses());

    var slices = client.discovery().v1().endpointSlices().inNamespace(NS);
    slices.resource(slice("vision-encoder-a", "vision-encoder", encoderA, true, "127.0.0.1")).create();
    slices.resource(slice("someone-else", "other-service", 1234, true, "127.0.0.9")).create();
    awaitAddresses(backends.encoders(), Set.of("127.0.0.1:" + encoderA));

    slices.resource(slice("vision-encoder-b", "vision-encoder", encoderB, true, "127.0.0.1")).create();
    awaitAddresses(backends.encoders(), Set.of("127.0.0.1:" + encoderA, "127.0.0.1:" + encoderB));

    // a pod that is not ready is not routed to
    slices.resource(slice("vision-encoder-b", "vision-encoder", encoderB, false, "127.0.0.1")).update();
    awaitAddresses(backends.encoders(), Set.of("127.0.0.1:" + encoderA));

    slices.resource(slice("projector-lm-x", "projector-lm", generator, true, "127.0.0.1")).create();
    awaitAddresses(backends.generators(), Set.of("127.0.0.1:" + generator));
    rest().body(chatBody("k8s", false, TestImages.png(7, 7))).post("/v1/chat/completions").then().statusCode(200)
        .body("choices[0].message.content", equalTo("I see 1 image(s) [7x7]. You said: k8s"));

    slices.withName("vision-encoder-a").delete();
    awaitAddresses(backends.encoders(), Set.of());
    rest().body(chatBody("k8s", false, TestImages.png(7, 7))).post("/v1/chat/completions").then().statusCode(503)
        .body("error.message", equalTo("no vision-encoder replica is configured or discovered"));
  }
}
