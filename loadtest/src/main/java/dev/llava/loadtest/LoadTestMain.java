package dev.llava.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load tester's command line:
 * <pre>
 * java -cp 'loadtest/target/llava-loadtest.jar:loadtest/target/lib/*' dev.llava.loadtest.LoadTestMain \
 *     --target http://localhost:8080 [--target grpc://localhost:8080] [--inprocess-model DIR] \
 *     [--rate 2 | --concurrency 4] [--requests 40] [--cached-fraction 0.5] [--max-tokens 16] [--out DIR]
 * </pre>
 * Every target gets the same requests; the report states each one's figures and, with {@code --inprocess-model},
 * each service path's latency as a ratio of the in-process path measured in the same run.
 */
public final class LoadTestMain {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LoadTestMain() {}

  public static void main(String[] argv) throws Exception {
    Map<String, List<String>> opts = parse(argv);
    int requests = Integer.parseInt(one(opts, "requests", "40"));
    double cached = Double.parseDouble(one(opts, "cached-fraction", "0.5"));
    int maxTokens = Integer.parseInt(one(opts, "max-tokens", "16"));
    long seed = Long.parseLong(one(opts, "seed", "1"));
    long maxSeconds = Long.parseLong(one(opts, "max-seconds", "900"));
    String model = one(opts, "model", null);
    String apiKey = one(opts, "api-key", System.getenv("LLAVA_API_KEY"));
    Path out = Path.of(one(opts, "out", "loadtest-report"));
    List<RequestSpec> workload = Workload.generate(requests, cached, maxTokens, seed);

    List<ChatTarget> targets = new ArrayList<>();
    for (String t : opts.getOrDefault("target", List.of())) {
      targets.add(target(t, model, apiKey));
    }
    String inprocess = one(opts, "inprocess-model", null);
    if (inprocess != null) {
      targets.add(InProcessChatTarget.load(Path.of(inprocess), model));
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("give at least one --target (http://host:port or grpc://host:port) "
          + "or --inprocess-model DIR");
    }

    ObjectNode report = JSON.createObjectNode();
    report.put("requests", requests).put("cached_fraction", cached).put("max_tokens", maxTokens).put("seed", seed);
    ArrayNode runs = report.putArray("runs");
    List<HtmlPlot.Series> series = new ArrayList<>();
    Map<String, Double> e2eP50 = new HashMap<>();
    for (ChatTarget target : targets) {
      try (target) {
        target.send(workload.get(0), System.nanoTime()); // warm-up: connections, JIT, model caches
        long start = System.nanoTime();
        List<RequestResult> results = opts.containsKey("rate")
            ? LoadRunner.openLoop(target, workload, Double.parseDouble(one(opts, "rate", "1")), seed, maxSeconds)
            : LoadRunner.closedLoop(target, workload, Integer.parseInt(one(opts, "concurrency", "4")), maxSeconds);
        double wall = (System.nanoTime() - start) / 1e9;
        ObjectNode summary = LoadReport.summarize(target.describe(), results, wall);
        runs.add(summary);
        series.add(new HtmlPlot.Series(target.describe(), results));
        e2eP50.put(target.describe(), summary.path("e2e_ms").path("p50").asDouble(Double.NaN));
        System.err.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
      }
    }
    String baseline = targets.stream().map(ChatTarget::describe).filter(d -> d.startsWith("inprocess:")).findFirst()
        .orElse(null);
    if (baseline != null) {
      ObjectNode overhead = report.putObject("service_path_vs_inprocess_e2e_p50");
      for (Map.Entry<String, Double> e : e2eP50.entrySet()) {
        if (!e.getKey().equals(baseline)) {
          overhead.put(e.getKey(), LoadReport.round(e.getValue() / e2eP50.get(baseline)));
        }
      }
    }
    Files.createDirectories(out);
    String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report);
    Files.writeString(out.resolve("report.json"), json);
    Files.writeString(out.resolve("report.html"), HtmlPlot.render("LLaVA load test", series, json));
    System.out.println(json);
    System.out.println("wrote " + out.resolve("report.json") + " and " + out.resolve("report.html"));
  }

  static ChatTarget target(String spec, String model, String apiKey) {
    URI uri = URI.create(spec);
    return switch (uri.getScheme()) {
      case "grpc" -> new GrpcChatTarget(uri.getHost(), uri.getPort(), model, apiKey);
      case "http", "https" -> new HttpSseChatTarget(spec, model, apiKey);
      default -> throw new IllegalArgumentException("--target must be grpc://host:port or http(s)://host:port, got "
          + spec);
    };
  }

  private static Map<String, List<String>> parse(String[] argv) {
    Map<String, List<String>> opts = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --option value pairs, got '" + argv[i] + "'");
      }
      opts.computeIfAbsent(argv[i].substring(2), k -> new ArrayList<>()).add(argv[++i]);
    }
    return opts;
  }

  private static String one(Map<String, List<String>> opts, String name, String fallback) {
    List<String> v = opts.get(name);
    return v == null ? fallback : v.get(v.size() - 1);
  }
}
