package dev.llava.trainer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.proto.v1.ListJobsRequest;
import dev.llava.proto.v1.TrainingGrpc;
import dev.llava.testing.MetricsSnapshot;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TrainerServiceTest {

  @Test
  void healthAndPrometheusMetricsAreServed() {
    given().get("/q/health/live").then().statusCode(200).body(containsString("UP"));
    given().get("/q/health/ready").then().statusCode(200);
    String metrics = given().get("/q/metrics").then().statusCode(200)
        .body(containsString("jvm_memory_used_bytes")).extract().asString();
    MetricsSnapshot.save(metrics);
  }

  @Test
  void listJobsAnswersOverARealGrpcChannelOnTheHttpPort() throws Exception {
    ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
          TrainingGrpc.newBlockingStub(channel).listJobs(ListJobsRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("ListJobs"), e.getStatus().getDescription());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
