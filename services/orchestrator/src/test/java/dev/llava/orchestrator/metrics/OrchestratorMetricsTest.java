package dev.llava.orchestrator.metrics;

import static dev.llava.orchestrator.testing.Clients.chatBody;
import static dev.llava.orchestrator.testing.Clients.rest;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.orchestrator.testing.TestBackendsResource;
import dev.llava.orchestrator.testing.TestImages;
import dev.llava.testing.KafkaTestResource;
import dev.llava.testing.MetricsSnapshot;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The metric names of docs/METRICS.md, as Prometheus scrapes them. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(TestBackendsResource.class)
class OrchestratorMetricsTest {

  static String scrape() {
    return given().get("/q/metrics").then().statusCode(200).extract().asString();
  }

  /** The value of the first sample whose line starts with {@code name{} and contains every label. */
  static double sample(String exposition, String name, String... labels) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        boolean all = true;
        for (String label : labels) {
          all &= line.contains(label);
        }
        if (all) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return Double.NaN;
  }

  @Test
  void everyContractMetricIsExportedBeforeTraffic() {
    String metrics = scrape();
    assertTrue(metrics.contains("# TYPE llava_orchestrator_inflight_requests gauge"));
    assertTrue(metrics.contains("# TYPE llava_orchestrator_requests counter")); // samples: _total
    assertTrue(metrics.contains("# TYPE llava_orchestrator_request_duration_seconds histogram"));
    assertTrue(metrics.contains("llava_orchestrator_stage_seconds_count{"));
    for (String api : OrchestratorMetrics.APIS) {
      assertTrue(metrics.contains("llava_orchestrator_requests_total{api=\"" + api + "\""), api);
    }
    for (String stage : OrchestratorMetrics.STAGES) {
      assertTrue(metrics.contains("stage=\"" + stage + "\""), stage);
    }
  }

  @Test
  void requestsAreCountedByApiAndOutcomeAndTimedByStage() {
    String before = scrape();
    double ok = sample(before, "llava_orchestrator_requests_total", "api=\"rest\"", "outcome=\"ok\"");
    double invalid = sample(before, "llava_orchestrator_requests_total", "api=\"rest\"", "outcome=\"invalid_argument\"");
    double encodes = sample(before, "llava_orchestrator_stage_seconds_count", "stage=\"encode\"");
    double durations = sample(before, "llava_orchestrator_request_duration_seconds_count");
    rest().body(chatBody("hi", false, TestImages.png(5, 5))).post("/v1/chat/completions").then().statusCode(200);
    rest().body(chatBody("a".repeat(3000), false)).post("/v1/chat/completions").then().statusCode(400);
    String after = scrape();
    assertEquals(ok + 1, sample(after, "llava_orchestrator_requests_total", "api=\"rest\"", "outcome=\"ok\""));
    assertEquals(invalid + 1,
        sample(after, "llava_orchestrator_requests_total", "api=\"rest\"", "outcome=\"invalid_argument\""));
    assertEquals(encodes + 1, sample(after, "llava_orchestrator_stage_seconds_count", "stage=\"encode\""));
    assertEquals(durations + 2, sample(after, "llava_orchestrator_request_duration_seconds_count"));
    assertEquals(0, sample(after, "llava_orchestrator_inflight_requests"));
    MetricsSnapshot.save(after);
  }
}
