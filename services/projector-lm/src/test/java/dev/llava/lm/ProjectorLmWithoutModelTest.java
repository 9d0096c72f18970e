package dev.llava.lm;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.GeneratorGrpc;
import dev.llava.proto.v1.ModelRef;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Without {@code llava.lm.model-dir} the service is alive but not ready, and says why. */
@QuarkusTest
@TestProfile(ProjectorLmWithoutModelTest.NoModel.class)
class ProjectorLmWithoutModelTest {

  public static class NoModel implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("llava.lm.model-dir", "");
    }
  }

  @Test
  void readinessIsDownAndGenerateIsAFailedPreconditionNamingTheSetting() throws Exception {
    given().get("/q/health/live").then().statusCode(200);
    given().get("/q/health/ready").then().statusCode(503).body(containsString("no model is configured"));
    ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
    try {
      GenerateRequest request = GenerateRequest.newBuilder().setModel(ModelRef.newBuilder().setName("llava-demo"))
          .build();
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> GeneratorGrpc.newBlockingStub(channel).generate(request).forEachRemaining(r -> {}));
      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("llava.lm.model-dir"), e.getStatus().getDescription());
      e = assertThrows(StatusRuntimeException.class,
          () -> GeneratorGrpc.newBlockingStub(channel).countTokens(request));
      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
