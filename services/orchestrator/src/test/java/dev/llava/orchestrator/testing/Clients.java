package dev.llava.orchestrator.testing;

import static io.restassured.RestAssured.given;

import dev.llava.orchestrator.routing.BackendClient;
import dev.llava.orchestrator.routing.Endpoint;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** Clients of the orchestrator under test, with the test API key. */
public final class Clients {
  public static final String KEY = "test-key-1";

  private Clients() {}

  public static RequestSpecification rest() {
    return given().header("Authorization", "Bearer " + KEY).contentType("application/json");
  }

  /** A real gRPC channel to the orchestrator's HTTP port, sending the API key. */
  public static ManagedChannel grpc() {
    return grpc(KEY);
  }

  public static ManagedChannel grpc(String key) {
    ManagedChannelBuilder<?> builder = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext();
    if (key != null) {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
      builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    return builder.build();
  }

  /** Scripts back to normal and every breaker closed, so tests do not leak failures into each other. */
  public static void resetBackends(BackendClient backends) {
    TestBackends.reset();
    for (var pool : new dev.llava.orchestrator.routing.EndpointPool[] {backends.encoders(), backends.generators()}) {
      for (String address : pool.addresses()) {
        Endpoint e = pool.endpoint(address);
        e.breaker().onSuccess();
      }
    }
  }

  /** A chat body with one user message of text and images given as data URLs. */
  public static String chatBody(String text, boolean stream, byte[]... images) {
    StringBuilder parts = new StringBuilder("[{\"type\":\"text\",\"text\":\"" + text + "\"}");
    for (byte[] image : images) {
      parts.append(",{\"type\":\"image_url\",\"image_url\":{\"url\":\"").append(TestImages.dataUrl(image)).append("\"}}");
    }
    parts.append("]");
    return "{\"model\":\"llava-demo\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":" + parts + "}]}";
  }
}
