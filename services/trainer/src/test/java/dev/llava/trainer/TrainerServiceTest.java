package dev.llava.trainer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.proto.v1.GetJobRequest;
import dev.llava.proto.v1.Job;
import dev.llava.proto.v1.JobSpec;
import dev.llava.proto.v1.JobState;
import dev.llava.proto.v1.SubmitJobRequest;
import dev.llava.proto.v1.TrainingGrpc;
import dev.llava.testing.KafkaTestResource;
import dev.llava.testing.MetricsSnapshot;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServerTestResource;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Health and the metrics contract (docs/METRICS.md). Every @QuarkusTest of this module carries the same test
 * resources (Kafka broker, Kubernetes mock server), so they share one application start.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(KubernetesServerTestResource.class)
class TrainerServiceTest {

  @Test
  void healthIsUpWithTheTestDoubleAsTrainerAndTheKubernetesRunnerWatching() {
    given().get("/q/health/live").then().statusCode(200).body(containsString("UP"));
    given().get("/q/health/ready").then().statusCode(200).body(containsString("training-runners"));
  }

  @Test
  void trainerMetricsAreExportedAndCountAJobsSteps() throws Exception {
    double stepsBefore = value(metrics(), "llava_trainer_steps_total");
    double succeededBefore = value(metrics(), "llava_trainer_jobs{state=\"succeeded\"}");
    ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
    try {
      var stub = TrainingGrpc.newBlockingStub(channel);
      Job job = stub.submitJob(SubmitJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setRecipe("demo")
          .setDataPath(TestData.trainJson().toString()).setGlobalBatchSize(2).setEpochs(1)).build());
      await().atMost(Duration.ofSeconds(20)).until(() -> stub.getJob(GetJobRequest.newBuilder().setId(job.getId())
          .build()).getState() == JobState.JOB_STATE_SUCCEEDED);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    // The dispatcher thread updates the metrics just after the job's last event.
    await().atMost(Duration.ofSeconds(5)).until(() -> value(metrics(), "llava_trainer_steps_total") >= stepsBefore + 5);
    String text = metrics();
    assertEquals(stepsBefore + 5, value(text, "llava_trainer_steps_total"));
    assertEquals(succeededBefore + 1, value(text, "llava_trainer_jobs{state=\"succeeded\"}"));
    assertEquals(4 * Math.exp(-0.5), value(text, "llava_trainer_loss"), 1e-9);
    for (String state : new String[] {"queued", "running", "succeeded", "failed", "cancelled"}) {
      assertTrue(text.contains("llava_trainer_jobs{state=\"" + state + "\"}"), state);
    }
    MetricsSnapshot.save(text);
  }

  private static String metrics() {
    return given().get("/q/metrics").then().statusCode(200).extract().asString();
  }

  /** The value of a series given as {@code name} or {@code name{labels}} (labels as exported, in order). */
  static double value(String prometheus, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "(?:\\{[^}]*\\})? ([^ \\n]+)").matcher(prometheus);
    if (!m.find()) {
      throw new AssertionError("no series " + series + " in /q/metrics");
    }
    return Double.parseDouble(m.group(1));
  }
}
