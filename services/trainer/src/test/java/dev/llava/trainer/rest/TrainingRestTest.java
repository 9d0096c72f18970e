package dev.llava.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.trainer.TestData;
import dev.llava.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServerTestResource;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The REST mirror: protobuf JSON bodies, errors as JSON with 400/404/409/429. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(KubernetesServerTestResource.class)
class TrainingRestTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void submitGetAndListAJobInProtobufJson() {
    var created = given().contentType(ContentType.JSON)
        .body("{\"recipe\": \"demo\", \"data_path\": \"" + TestData.trainJson() + "\", \"globalBatchSize\": 2, \"epochs\": 1,"
            + " \"model_name\": \"rest-demo\"}")
        .post("/v1/training/jobs")
        .then().statusCode(201)
        .body("state", equalTo("JOB_STATE_QUEUED"))
        .body("spec.stage", equalTo("ALL_PARTS"))
        .body("spec.modelName", equalTo("rest-demo"))
        .body("step", equalTo(0))
        .extract();
    String id = created.path("id");
    assertTrue(created.header("Location").endsWith("/v1/training/jobs/" + id), created.header("Location"));

    await().atMost(WAIT).until(() -> "JOB_STATE_SUCCEEDED".equals(
        given().get("/v1/training/jobs/" + id).then().statusCode(200).extract().path("state")));
    given().get("/v1/training/jobs/" + id).then()
        .body("step", equalTo(5)).body("totalSteps", equalTo(5))
        .body("checkpointDir", endsWith("/target/test-jobs/" + id))
        .body("message", startsWith("trained 5 steps"));
    given().get("/v1/training/jobs?state=succeeded").then().statusCode(200).body("jobs.id", hasItem(id));
    given().get("/v1/training/jobs?state=JOB_STATE_SUCCEEDED").then().body("jobs.id", hasItem(id));
  }

  @Test
  void anInvalidSpecIs400NamingEveryProblem() {
    given().contentType(ContentType.JSON)
        .body("{\"stage\": \"STAGE1_ALIGN\", \"dataPath\": \"/etc/passwd\", \"gpus\": -1}")
        .post("/v1/training/jobs")
        .then().statusCode(400)
        .body("error.code", equalTo(400))
        .body("error.status", equalTo("INVALID_ARGUMENT"))
        .body("error.problems", hasSize(3))
        .body("error.problems[0]", equalTo("gpus must be 0..8, got -1"))
        .body("error.problems[1]", startsWith("data_path /etc/passwd is outside the allowed roots"))
        .body("error.problems[2]", startsWith("base_model_dir is required for STAGE1_ALIGN"));
  }

  @Test
  void malformedJsonAndUnknownStatesAre400() {
    given().contentType(ContentType.JSON).body("{\"stage\": \"STAGE9\"}").post("/v1/training/jobs")
        .then().statusCode(400).body("error.message", containsString("not a valid JobSpec in protobuf JSON"));
    given().get("/v1/training/jobs?state=sleeping").then().statusCode(400)
        .body("error.problems", contains("state must be one of [queued, running, succeeded, failed, cancelled],"
            + " got \"sleeping\""));
  }

  @Test
  void unknownJobsAre404AndCancellingAFinishedJobIs409() {
    given().get("/v1/training/jobs/job-unknown00").then().statusCode(404).body("error.status", equalTo("NOT_FOUND"));
    given().post("/v1/training/jobs/job-unknown00/cancel").then().statusCode(404);

    String id = submit(", \"maxSteps\": 1");
    await().atMost(WAIT).until(() -> "JOB_STATE_SUCCEEDED".equals(
        given().get("/v1/training/jobs/" + id).then().extract().path("state")));
    given().post("/v1/training/jobs/" + id + "/cancel").then().statusCode(409)
        .body("error.status", equalTo("FAILED_PRECONDITION"))
        .body("error.message", containsString("already finished as JOB_STATE_SUCCEEDED"));
  }

  @Test
  void aFullQueueIs429WithRetryAfterAndCancelWorksForQueuedAndRunningJobs() {
    List<String> ids = new ArrayList<>();
    String running = submit(", \"maxSteps\": 100000");
    ids.add(running);
    await().atMost(WAIT).until(() -> "JOB_STATE_RUNNING".equals(
        given().get("/v1/training/jobs/" + running).then().extract().path("state")));
    for (int i = 0; i < 3; i++) {
      ids.add(submit(""));
    }
    given().contentType(ContentType.JSON).body(body("")).post("/v1/training/jobs")
        .then().statusCode(429).header("Retry-After", "30")
        .body("error.status", equalTo("RESOURCE_EXHAUSTED"))
        .body("error.message", startsWith("the job queue is full: 3 jobs queued, at most 3"));

    given().post("/v1/training/jobs/" + ids.get(1) + "/cancel").then().statusCode(200)
        .body("state", equalTo("JOB_STATE_CANCELLED")).body("message", equalTo("cancelled while queued"));
    given().get("/v1/training/jobs?state=queued").then().body("jobs.id", contains(ids.get(3), ids.get(2)));
    for (String queued : List.of(ids.get(2), ids.get(3))) {
      given().post("/v1/training/jobs/" + queued + "/cancel").then().statusCode(200)
          .body("state", equalTo("JOB_STATE_CANCELLED"));
    }
    given().post("/v1/training/jobs/" + running + "/cancel").then().statusCode(200)
        .body("state", equalTo("JOB_STATE_RUNNING"));
    await().atMost(WAIT).until(() -> "JOB_STATE_CANCELLED".equals(
        given().get("/v1/training/jobs/" + running).then().extract().path("state")));
  }

  private static String submit(String extra) {
    return given().contentType(ContentType.JSON).body(body(extra)).post("/v1/training/jobs")
        .then().statusCode(201).extract().path("id");
  }

  /** A demo job (its output dir defaults to <work-dir>/<id>, so jobs never share one). */
  private static String body(String extra) {
    return "{\"recipe\": \"demo\", \"dataPath\": \"" + TestData.trainJson() + "\", \"globalBatchSize\": 2, \"epochs\": 1" + extra
        + "}";
  }
}
