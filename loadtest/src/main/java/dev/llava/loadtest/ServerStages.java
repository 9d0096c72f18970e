package dev.llava.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llava.engine.lm.StageTimes;
import dev.llava.engine.vision.VisionEncoderEngine;
import dev.llava.proto.v1.StageTimings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a request's time went as the platform itself reports it ({@code StageTimings}: the final gRPC chunk, the
 * SSE {@code llava_timings} object, or the engines' own timers in-process), keyed by stage name in milliseconds.
 * Client latency minus the server's {@code total} is what the network and the client add.
 */
final class ServerStages {
  /** Stage names in pipeline order, as {@code StageTimings} fields without {@code _ms}. */
  static final List<String> NAMES = List.of("image_decode", "preprocess", "encode", "queue", "project", "prefill",
      "first_token", "decode", "total");

  private ServerStages() {}

  static Map<String, Double> of(StageTimings t) {
    double[] v = {t.getImageDecodeMs(), t.getPreprocessMs(), t.getEncodeMs(), t.getQueueMs(), t.getProjectMs(),
        t.getPrefillMs(), t.getFirstTokenMs(), t.getDecodeMs(), t.getTotalMs()};
    Map<String, Double> stages = new LinkedHashMap<>();
    for (int i = 0; i < v.length; i++) {
      stages.put(NAMES.get(i), v[i]);
    }
    return stages;
  }

  /** The SSE stream's {@code llava_timings} object ({@code image_decode_ms}, ...); absent fields are left out. */
  static Map<String, Double> of(JsonNode timings) {
    Map<String, Double> stages = new LinkedHashMap<>();
    for (String name : NAMES) {
      JsonNode v = timings.get(name + "_ms");
      if (v != null && v.isNumber()) {
        stages.put(name, v.asDouble());
      }
    }
    return stages;
  }

  /**
   * The in-process engines' timers, in the same fields the orchestrator fills: image decode, preprocessing and
   * CLIP time from the vision engine; the rest from the generation engine (whose clock starts at submission, so
   * {@code first_token} and {@code total} here exclude the vision phase; {@code visionMs} adds it back).
   */
  static Map<String, Double> of(VisionEncoderEngine.Encoded image, double visionMs, StageTimes lm) {
    Map<String, Double> stages = new LinkedHashMap<>();
    stages.put("image_decode", image == null ? 0 : image.decodeNanos() / 1e6);
    stages.put("preprocess", image == null ? 0 : image.preprocessNanos() / 1e6);
    stages.put("encode", image == null ? 0 : image.encodeNanos() / 1e6);
    stages.put("queue", lm.queueMs());
    stages.put("project", lm.projectMs());
    stages.put("prefill", lm.prefillMs());
    stages.put("first_token", visionMs + lm.firstTokenMs());
    stages.put("decode", lm.decodeMs());
    stages.put("total", visionMs + lm.totalMs());
    return stages;
  }
}
