package dev.llava.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.proto.v1.StageTimings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadReportTest {
  private static final byte[] IMAGE = {1, 2, 3};

  private static RequestResult result(int index, boolean cached, String status, double e2e, Map<String, Double> stages) {
    return new RequestResult(new RequestSpec(index, IMAGE, cached, "q", 4), status, 10, e2e, List.of(), 1, "x",
        stages);
  }

  @Test
  void stageMeansSplitByImageKindAndStateWhatTheClientAdds() {
    List<RequestResult> results = List.of(
        result(0, false, "OK", 1000, Map.of("encode", 800.0, "total", 950.0)),
        result(1, true, "OK", 300, Map.of("encode", 0.0, "total", 200.0)),
        result(2, true, "OK", 500, Map.of("encode", 0.0, "total", 300.0)),
        result(3, true, "UNAVAILABLE", 9999, Map.of("total", 1.0)),
        result(4, true, "OK", 700, Map.of()));
    ObjectNode report = LoadReport.summarize("t", results, 1.0);
    JsonNode cached = report.path("server_stages_mean_ms").path("cached_image");
    assertEquals(0.0, cached.path("encode").asDouble());
    assertEquals(250.0, cached.path("total").asDouble(), "failed and unreported requests are left out");
    assertEquals(150.0, cached.path("client_minus_server").asDouble());
    JsonNode fresh = report.path("server_stages_mean_ms").path("new_image");
    assertEquals(800.0, fresh.path("encode").asDouble());
    assertEquals(50.0, fresh.path("client_minus_server").asDouble());
  }

  @Test
  void stagesReadTheGrpcAndSseFormsAlike() throws Exception {
    Map<String, Double> grpc = ServerStages.of(StageTimings.newBuilder().setEncodeMs(12.5).setTotalMs(40).build());
    JsonNode sse = new ObjectMapper().readTree("{\"encode_ms\": 12.5, \"total_ms\": 40, \"other\": \"x\"}");
    Map<String, Double> rest = ServerStages.of(sse);
    assertEquals(grpc.get("encode"), rest.get("encode"));
    assertEquals(grpc.get("total"), rest.get("total"));
    assertEquals(ServerStages.NAMES, List.copyOf(grpc.keySet()));
    assertFalse(rest.containsKey("prefill"), "a stage the server did not send is absent, not zero");
  }
}
