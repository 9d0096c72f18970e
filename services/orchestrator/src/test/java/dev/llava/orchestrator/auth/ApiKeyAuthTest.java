package dev.llava.orchestrator.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llava.orchestrator.testing.Clients;
import dev.llava.orchestrator.testing.TestBackendsResource;
import dev.llava.proto.v1.ChatGrpc;
import dev.llava.proto.v1.ListModelsRequest;
import dev.llava.testing.KafkaTestResource;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Test profile keys: test-key-1, test-key-2. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(TestBackendsResource.class)
class ApiKeyAuthTest {
  static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @Test
  void restWithoutAKeyIs401() {
    given().contentType("application/json").body(CHAT).post("/v1/chat/completions").then().statusCode(401)
        .body("error.code", equalTo("missing_api_key"))
        .body("error.type", equalTo("invalid_request_error"));
    given().header("Authorization", "Basic dGVzdDp0ZXN0").get("/v1/models").then().statusCode(401);
  }

  @Test
  void restWithAnUnknownKeyIs403() {
    given().header("Authorization", "Bearer test-key-3").contentType("application/json").body(CHAT)
        .post("/v1/chat/completions").then().statusCode(403).body("error.code", equalTo("invalid_api_key"));
  }

  @Test
  void everyConfiguredKeyWorks() {
    given().header("Authorization", "Bearer test-key-2").get("/v1/models").then().statusCode(200);
    given().header("Authorization", "bearer test-key-1").get("/v1/models").then().statusCode(200);
  }

  @Test
  void healthAndMetricsStayOpen() {
    given().get("/q/health/live").then().statusCode(200);
    given().get("/q/health/ready").then().statusCode(200);
    given().get("/q/metrics").then().statusCode(200);
  }

  @Test
  void grpcNeedsTheKeyInAuthorizationMetadata() throws Exception {
    for (String key : new String[] {null, "nope", Clients.KEY}) {
      ManagedChannel channel = Clients.grpc(key);
      try {
        var stub = ChatGrpc.newBlockingStub(channel);
        if (key == null) {
          StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
              () -> stub.listModels(ListModelsRequest.getDefaultInstance()));
          assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        } else if (key.equals("nope")) {
          StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
              () -> stub.listModels(ListModelsRequest.getDefaultInstance()));
          assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        } else {
          assertEquals("llava-demo", stub.listModels(ListModelsRequest.getDefaultInstance()).getModels(0)
              .getModel().getName());
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
