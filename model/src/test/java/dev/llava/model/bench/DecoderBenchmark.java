package dev.llava.model.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.config.TextConfig;
import dev.llava.model.nn.KvCache;
import dev.llava.model.nn.LlamaDecoder;
import dev.llava.model.nn.RandomWeights;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Decoder throughput on the shapes of shared/BENCHMARKS.md (Llama-style, hidden 1024, 8 layers,
 * 16 heads, MLP 2816, vocab 32064, random fp32 weights), printed as ratios against a plain GEMM
 * and a GEMV measured in the same run (the machine is shared: only same-run ratios mean anything).
 *
 * <p>Every figure is the best of several repetitions, measured twice: per wall-clock second and
 * per CPU-second of this process. With one intra-op thread ({@code -Dai.djl.pytorch.num_threads=1})
 * the CPU-second figures are what the code achieves on a core it has to itself, even when other
 * processes are competing for the machine; with more threads they also count OpenMP spin-waits.
 *
 * <p>Lives in test sources (it needs the test-only {@code RandomWeights}). Run from {@code model/}:
 * <pre>
 * ../mvnw -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.llava.model.bench.DecoderBenchmark -Dai.djl.offline=true
 * </pre>
 * Optional arguments: prompt tokens (1024), decode context (512), decode steps per round (8), batch (16).
 */
public final class DecoderBenchmark {
  private static final String CONFIG = "{\"model_type\": \"llava\", \"text_config\": {\"model_type\": \"llama\","
      + " \"hidden_size\": 1024, \"num_hidden_layers\": 8, \"num_attention_heads\": 16, \"intermediate_size\": 2816,"
      + " \"vocab_size\": 32064, \"max_position_embeddings\": 4096}}";

  /** Seconds of one measured run, by the wall clock and by this process's CPU time. */
  private record Seconds(double wall, double cpu) {
    static Seconds best(Seconds a, Seconds b) {
      return a == null ? b : new Seconds(Math.min(a.wall, b.wall), Math.min(a.cpu, b.cpu));
    }
  }

  private interface Work {
    void run();
  }

  private static Seconds time(Work work) {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long wall0 = System.nanoTime();
    work.run();
    return new Seconds((System.nanoTime() - wall0) / 1e9, (os.getProcessCpuTime() - cpu0) / 1e9);
  }

  private DecoderBenchmark() {}

  public static void main(String[] args) throws Exception {
    int promptTokens = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    int context = args.length > 1 ? Integer.parseInt(args[1]) : 512;
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 16;
    TextConfig c = LlavaConfig.parse(CONFIG).textConfig();

    try (NDManager m = NDManager.newBaseManager()) { // loads the engine before JniUtils is usable
      System.out.printf("torch intra-op threads: %d; load average %s%n", JniUtils.getNumThreads(),
          new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).trim());
      double gemmFlops = 2.0 * 2048 * 2048 * 2048;
      Seconds gemm = gemm(m, 2048);
      Seconds gemv = gemv(m, 4096);
      double gemvBytes = 4.0 * 4096 * 4096;
      System.out.printf("plain fp32 GEMM 2048^3: %.1f GFLOP/s (per CPU-second %.1f)%n",
          gemmFlops / gemm.wall / 1e9, gemmFlops / gemm.cpu / 1e9);
      System.out.printf("plain fp32 GEMV 4096x4096: %.1f GB/s of weights (per CPU-second %.1f)%n",
          gemvBytes / gemv.wall / 1e9, gemvBytes / gemv.cpu / 1e9);

      LlavaWeights.Text w = RandomWeights.text(c, m, 42, 0.02f);
      try (LlamaDecoder decoder = new LlamaDecoder(c, w, m)) {
        long layerParams = (long) c.numHiddenLayers()
            * ((long) c.hiddenSize() * c.qkvSize() + (long) c.hiddenSize() * c.numAttentionHeads() * c.headDim()
                + 3L * c.hiddenSize() * c.intermediateSize());
        long headParams = (long) c.vocabSize() * c.hiddenSize();

        for (boolean all : new boolean[] {false, true}) {
          Seconds best = null;
          for (int rep = 0; rep < 3; rep++) {
            long[] ids = randomIds(promptTokens, c.vocabSize(), rep);
            try (NDManager step = m.newSubManager(); KvCache cache = decoder.newCache(promptTokens, step)) {
              NDArray embeds = decoder.embed(ids, step);
              best = Seconds.best(best, time(() -> decoder.prefill(embeds, cache, all).getFloat(0, 0)));
            }
          }
          // Attention counted as computed: full [L, L] score and value products per head (masked, not skipped).
          double attention = 4.0 * c.numHiddenLayers() * promptTokens * (double) promptTokens * c.numAttentionHeads() * c.headDim();
          double flops = 2.0 * promptTokens * layerParams + attention + 2.0 * (all ? promptTokens : 1) * headParams;
          System.out.printf("prefill %d tokens, logits for %s: %.0f tokens/s, %.1f GFLOP/s = %.2f of GEMM"
                  + " (per CPU-second: %.0f tokens/s, %.2f of GEMM)%n", promptTokens,
              all ? "all positions" : "last position", promptTokens / best.wall, flops / best.wall / 1e9,
              (flops / best.wall) / (gemmFlops / gemm.wall), promptTokens / best.cpu, (flops / best.cpu) / (gemmFlops / gemm.cpu));
        }

        double bytesPerStep = 4.0 * (layerParams + headParams);
        Seconds[] decode = decodeSecondsPerStep(decoder, m, batch, context, steps);
        double boundWall = (gemvBytes / gemv.wall) / bytesPerStep;
        double boundCpu = (gemvBytes / gemv.cpu) / bytesPerStep;
        System.out.printf("decode batch 1 (context %d): %.2f tokens/s = %.2f of the weight-streaming bound of %.1f steps/s"
                + " (%.2f GB of weights per step) (per CPU-second: %.2f tokens/s = %.2f of bound)%n", context,
            1 / decode[0].wall, (1 / decode[0].wall) / boundWall, boundWall, bytesPerStep / 1e9,
            1 / decode[0].cpu, (1 / decode[0].cpu) / boundCpu);
        System.out.printf("decode batch %d (context %d): %.2f tokens/s = %.1fx batch 1 (per CPU-second: %.2f tokens/s = %.1fx)%n",
            batch, context, batch / decode[1].wall, (batch / decode[1].wall) / (1 / decode[0].wall),
            batch / decode[1].cpu, (batch / decode[1].cpu) / (1 / decode[0].cpu));
      }
    }
  }

  /**
   * Seconds per decode step at batch 1 and at {@code batch}, best of 5 rounds; each round times
   * both batch sizes back to back so that both see the same machine load.
   */
  private static Seconds[] decodeSecondsPerStep(LlamaDecoder decoder, NDManager m, int batch, int context, int steps) {
    try (NDManager scope = m.newSubManager()) {
      List<KvCache> caches = new ArrayList<>();
      for (int b = 0; b < batch; b++) {
        KvCache cache = decoder.newCache(context + steps + 1, scope);
        try (NDManager step = scope.newSubManager()) {
          decoder.prefill(decoder.embed(randomIds(context, decoder.config().vocabSize(), 100 + b), step), cache, false);
        }
        caches.add(cache);
      }
      Seconds[] best = new Seconds[2];
      for (int round = 0; round < 6; round++) {
        for (int which = 0; which < 2; which++) {
          List<KvCache> active = which == 0 ? caches.subList(0, 1) : caches;
          long[] next = new long[active.size()];
          for (int b = 0; b < next.length; b++) next[b] = b + 1;
          Seconds run = time(() -> {
            for (int s = 0; s < steps; s++) {
              try (NDManager step = scope.newSubManager()) {
                long[] argmax = decoder.decode(next, active, step).argMax(1).toLongArray();
                System.arraycopy(argmax, 0, next, 0, next.length);
              }
            }
          });
          if (round > 0) best[which] = Seconds.best(best[which], new Seconds(run.wall / steps, run.cpu / steps));
          for (KvCache cache : active) cache.truncate(context);
        }
      }
      return best;
    }
  }

  private static Seconds gemm(NDManager m, int n) {
    try (NDManager scope = m.newSubManager()) {
      NDArray a = scope.randomNormal(new Shape(n, n));
      NDArray b = scope.randomNormal(new Shape(n, n));
      Seconds best = null;
      for (int i = 0; i < 6; i++) {
        Seconds s = time(() -> a.matMul(b).close());
        if (i > 0) best = Seconds.best(best, s);
      }
      return best;
    }
  }

  private static Seconds gemv(NDManager m, int n) {
    try (NDManager scope = m.newSubManager()) {
      NDArray w = scope.randomNormal(new Shape(n, n));
      NDArray x = scope.randomNormal(new Shape(1, n));
      Seconds best = null;
      for (int i = 0; i < 21; i++) {
        Seconds s = time(() -> x.getNDArrayInternal().linear(x, w, null).singletonOrThrow().close());
        if (i > 0) best = Seconds.best(best, s);
      }
      return best;
    }
  }

  private static long[] randomIds(int n, int vocab, long seed) {
    Random r = new Random(seed);
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) ids[i] = r.nextInt(vocab);
    return ids;
  }
}
