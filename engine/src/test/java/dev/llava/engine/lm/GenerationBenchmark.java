package dev.llava.engine.lm;

import dev.llava.proto.v1.EncodedMessage;
import dev.llava.proto.v1.EncodedPart;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.Role;
import dev.llava.proto.v1.StoppingCriteria;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Generation throughput of the continuous batcher at 1, 4 and 16 concurrent streams on one checkpoint, in one
 * run, as ratios against the single stream (target: >= 8x generated tokens/s at 16 streams). Not a unit test;
 * run it as described in {@code services/projector-lm/README.md}. Arguments (all optional):
 * {@code --checkpoint DIR} (a checkpoint; when DIR has no config.json the random mid-size checkpoint
 * of {@link MidSizeCheckpoint} is written there and kept; default: written to a temp dir and deleted), {@code --new-tokens N} (64), {@code --prompt-words N} (100),
 * {@code --streams 1,4,16}.
 *
 * <p>Per concurrency c: c requests (text prompts of ~130 tokens, greedy, ignore_eos so each generates exactly
 * N tokens) start together; c = 1 runs twice. Reported: end-to-end generated tokens/s (wall clock, prefill
 * included), decode-step throughput (sequence-tokens per second of decode-step time, from the engine's
 * metrics), mean decode batch, TTFT percentiles and mean inter-token latency.
 */
public final class GenerationBenchmark {
  private record Run(double wallSeconds, int tokens, List<Double> ttftMs, List<Double> itlMs) {}

  private record Phase(int streams, Run run, double decodeTokensPerSecond, double meanBatch, double prefillSeconds,
      double decodeSeconds) {
    double tokensPerSecond() {
      return run.tokens / run.wallSeconds;
    }
  }

  private GenerationBenchmark() {}

  public static void main(String[] args) throws Exception {
    int newTokens = Integer.parseInt(arg(args, "--new-tokens", "64"));
    int promptWords = Integer.parseInt(arg(args, "--prompt-words", "100"));
    int[] streams = Arrays.stream(arg(args, "--streams", "1,4,16").split(",")).mapToInt(Integer::parseInt).toArray();
    String given = arg(args, "--checkpoint", null);
    Path dir = given != null ? Path.of(given) : Files.createTempDirectory("llava-bench-");
    if (!Files.exists(dir.resolve("config.json"))) {
      long t0 = System.nanoTime();
      MidSizeCheckpoint.create(dir);
      System.out.printf("wrote a random mid-size checkpoint to %s in %.1f s%n", dir, (System.nanoTime() - t0) / 1e9);
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LmEngineConfig config = new LmEngineConfig("bench", "vicuna_v1", 16, 65536, 64, 512, 256, 2048);
    try (GenerationEngine engine = GenerationEngine.load(dir, config, registry)) {
      int promptTokens = engine.countTokens(request(0, promptWords, newTokens)).getPromptTokens();
      System.out.printf("checkpoint %s: prompt %d tokens, %d new tokens per request%n", dir, promptTokens, newTokens);
      run(engine, 2, promptWords, 4); // warm-up: JIT, PyTorch kernels, allocator
      List<Phase> phases = new ArrayList<>();
      for (int c : streams) {
        double batchSum0 = registry.get("llava.lm.batch.size").summary().totalAmount();
        long batchCount0 = registry.get("llava.lm.batch.size").summary().count();
        double decodeSeconds0 = stageSeconds(registry, "decode");
        double prefillSeconds0 = stageSeconds(registry, "prefill");
        Run r = c == 1 ? merge(run(engine, 1, promptWords, newTokens), run(engine, 1, promptWords, newTokens))
            : run(engine, c, promptWords, newTokens);
        double batchSum = registry.get("llava.lm.batch.size").summary().totalAmount() - batchSum0;
        long batchCount = registry.get("llava.lm.batch.size").summary().count() - batchCount0;
        double decodeSeconds = stageSeconds(registry, "decode") - decodeSeconds0;
        double prefillSeconds = stageSeconds(registry, "prefill") - prefillSeconds0;
        phases.add(new Phase(c, r, batchSum / decodeSeconds, batchSum / batchCount, prefillSeconds, decodeSeconds));
        System.out.printf("  %d stream(s) done in %.1f s%n", c, r.wallSeconds);
      }
      print(phases, promptTokens, newTokens);
    } finally {
      if (given == null) {
        try (var files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static double stageSeconds(SimpleMeterRegistry registry, String stage) {
    return registry.get("llava.lm.stage").tag("stage", stage).timer().totalTime(TimeUnit.SECONDS);
  }

  /** {@code streams} requests started together; returns when all have finished. */
  private static Run run(GenerationEngine engine, int streams, int promptWords, int newTokens) throws Exception {
    List<CompletableFuture<GenerationResult>> done = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < streams; i++) {
      CompletableFuture<GenerationResult> f = new CompletableFuture<>();
      engine.generate(request(i, promptWords, newTokens), new GenerationListener() {
        @Override
        public void onTokens(String text, long[] tokenIds) {}

        @Override
        public void onFinished(String text, long[] tokenIds, GenerationResult result) {
          f.complete(result);
        }

        @Override
        public void onFailed(RuntimeException error) {
          f.completeExceptionally(error);
        }
      });
      done.add(f);
    }
    List<Double> ttft = new ArrayList<>();
    List<Double> itl = new ArrayList<>();
    int tokens = 0;
    for (CompletableFuture<GenerationResult> f : done) {
      GenerationResult r = f.get(30, TimeUnit.MINUTES);
      tokens += r.completionTokens();
      ttft.add(r.timings().firstTokenMs());
      itl.add(r.timings().decodeMs() / Math.max(1, r.completionTokens() - 1));
    }
    return new Run((System.nanoTime() - t0) / 1e9, tokens, ttft, itl);
  }

  private static Run merge(Run a, Run b) {
    List<Double> ttft = new ArrayList<>(a.ttftMs);
    ttft.addAll(b.ttftMs);
    List<Double> itl = new ArrayList<>(a.itlMs);
    itl.addAll(b.itlMs);
    return new Run(a.wallSeconds + b.wallSeconds, a.tokens + b.tokens, ttft, itl);
  }

  /** A different ~promptWords-word question per stream, greedy, exactly {@code newTokens} new tokens. */
  private static GenerateRequest request(int i, int promptWords, int newTokens) {
    StringBuilder text = new StringBuilder("Request " + i + ": please summarise the following notes.");
    String[] words = {"river", "mountain", "engine", "batch", "token", "cache", "vision", "language", "model",
        "stream", "image", "latency"};
    for (int w = 0; w < promptWords; w++) {
      text.append(' ').append(words[(w * 7 + i) % words.length]);
    }
    return GenerateRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName("bench"))
        .addMessages(EncodedMessage.newBuilder().setRole(Role.USER)
            .addParts(EncodedPart.newBuilder().setText(text.toString())))
        .setStopping(StoppingCriteria.newBuilder().setMaxNewTokens(newTokens).setIgnoreEos(true))
        .build();
  }

  private static void print(List<Phase> phases, int promptTokens, int newTokens) {
    Phase base = phases.get(0);
    System.out.println();
    System.out.printf(Locale.ROOT, "Prompt %d tokens, %d new tokens per stream, greedy, fp32, %d CPU cores%n%n",
        promptTokens, newTokens, Runtime.getRuntime().availableProcessors());
    System.out.println("| streams | generated tok/s (end to end) | ratio | decode-step tok/s | ratio | mean batch "
        + "| TTFT p50 / p90 / max ms | mean ITL ms | wall s = prefill + decode + other |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (Phase p : phases) {
      double[] t = p.run.ttftMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double wall = p.run.wallSeconds;
      System.out.printf(Locale.ROOT,
          "| %d | %.1f | %.2fx | %.1f | %.2fx | %.1f | %.0f / %.0f / %.0f | %.0f | %.1f = %.1f + %.1f + %.1f |%n",
          p.streams, p.tokensPerSecond(), p.tokensPerSecond() / base.tokensPerSecond(), p.decodeTokensPerSecond,
          p.decodeTokensPerSecond / base.decodeTokensPerSecond, p.meanBatch, percentile(t, 0.5),
          percentile(t, 0.9), t[t.length - 1], p.run.itlMs.stream().mapToDouble(Double::doubleValue).average()
              .orElse(0), wall, p.prefillSeconds, p.decodeSeconds, wall - p.prefillSeconds - p.decodeSeconds);
    }
  }

  private static double percentile(double[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  }

  private static String arg(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
