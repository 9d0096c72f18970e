package dev.llava.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Percentiles, throughput and errors of one run, as JSON. */
public final class LoadReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LoadReport() {}

  public static ObjectNode summarize(String target, List<RequestResult> results, double wallSeconds) {
    LatencyRecorder ttft = new LatencyRecorder();
    LatencyRecorder ttftCached = new LatencyRecorder();
    LatencyRecorder ttftUncached = new LatencyRecorder();
    LatencyRecorder itl = new LatencyRecorder();
    LatencyRecorder e2e = new LatencyRecorder();
    Map<String, Integer> byStatus = new TreeMap<>();
    long tokens = 0;
    int ok = 0;
    for (RequestResult r : results) {
      byStatus.merge(r.status(), 1, Integer::sum);
      if (!r.ok()) {
        continue;
      }
      ok++;
      tokens += r.completionTokens();
      e2e.record(r.e2eMillis());
      r.interTokenMillis().forEach(itl::record);
      if (!Double.isNaN(r.ttftMillis())) {
        ttft.record(r.ttftMillis());
        (r.spec().cachedImage() ? ttftCached : ttftUncached).record(r.ttftMillis());
      }
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("target", target);
    o.put("requests", results.size());
    o.put("ok", ok);
    o.putPOJO("by_status", byStatus);
    o.put("wall_seconds", round(wallSeconds));
    o.put("requests_per_second", round(ok / wallSeconds));
    o.put("tokens_per_second", round(tokens / wallSeconds));
    o.set("ttft_ms", percentiles(ttft));
    o.set("ttft_cached_image_ms", percentiles(ttftCached));
    o.set("ttft_new_image_ms", percentiles(ttftUncached));
    o.set("inter_token_ms", percentiles(itl));
    o.set("e2e_ms", percentiles(e2e));
    if (ttftCached.count() > 0 && ttftUncached.count() > 0) {
      o.put("new_vs_cached_ttft_p50_ratio", round(ttftUncached.percentile(50) / ttftCached.percentile(50)));
    }
    ObjectNode stages = o.putObject("server_stages_mean_ms");
    stages.set("cached_image", stageMeans(results, true));
    stages.set("new_image", stageMeans(results, false));
    return o;
  }

  /**
   * Mean of each stage the server reported over the OK requests of one image kind, plus {@code client_minus_server}:
   * the client's end-to-end latency minus the server's own {@code total}, i.e. what transport and client add.
   */
  static ObjectNode stageMeans(List<RequestResult> results, boolean cached) {
    Map<String, LatencyRecorder> byStage = new java.util.LinkedHashMap<>();
    for (RequestResult r : results) {
      if (!r.ok() || r.spec().image() == null || r.spec().cachedImage() != cached || r.stages().isEmpty()) {
        continue;
      }
      r.stages().forEach((name, ms) -> byStage.computeIfAbsent(name, k -> new LatencyRecorder()).record(ms));
      Double total = r.stages().get("total");
      if (total != null) {
        byStage.computeIfAbsent("client_minus_server", k -> new LatencyRecorder()).record(r.e2eMillis() - total);
      }
    }
    ObjectNode o = JSON.createObjectNode();
    byStage.forEach((name, r) -> o.put(name, round(r.mean())));
    return o;
  }

  private static ObjectNode percentiles(LatencyRecorder r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("n", r.count());
    if (r.count() > 0) {
      o.put("mean", round(r.mean()));
      for (int p : new int[] {50, 90, 99}) {
        o.put("p" + p, round(r.percentile(p)));
      }
      o.put("max", round(r.percentile(100)));
    }
    return o;
  }

  static double round(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }
}
