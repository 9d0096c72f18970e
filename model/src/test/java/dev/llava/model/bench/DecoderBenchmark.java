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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Decoder throughput on the shapes of shared/BENCHMARKS.md (Llama-style, hidden 1024, 8 layers,
 * 16 heads, MLP 2816, vocab 32064, random fp32 weights), printed as ratios against a plain GEMM
 * and a GEMV measured in the same run (the machine is shared: only same-run ratios mean anything).
 *
 * <p>Lives in test sources (it needs the test-only {@code RandomWeights}). Run from {@code model/}:
 * <pre>
 * ../mvnw -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.llava.model.bench.DecoderBenchmark -Dai.djl.offline=true
 * </pre>
 * Optional arguments: prompt tokens (1024), decode context (512), decode steps (16), batch (16).
 */
public final class DecoderBenchmark {
  private static final String CONFIG = "{\"model_type\": \"llava\", \"text_config\": {\"model_type\": \"llama\","
      + " \"hidden_size\": 1024, \"num_hidden_layers\": 8, \"num_attention_heads\": 16, \"intermediate_size\": 2816,"
      + " \"vocab_size\": 32064, \"max_position_embeddings\": 4096}}";

  private DecoderBenchmark() {}

  public static void main(String[] args) throws Exception {
    int promptTokens = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    int context = args.length > 1 ? Integer.parseInt(args[1]) : 512;
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 16;
    TextConfig c = LlavaConfig.parse(CONFIG).textConfig();
    try (NDManager m = NDManager.newBaseManager()) { // loads the engine before JniUtils is usable
      System.out.printf("torch intra-op threads: %d, interop threads: %d%n", JniUtils.getNumThreads(),
          JniUtils.getNumInteropThreads());
      double gemm = gemmGflops(m, 2048);
      double gemv = gemvGbPerSecond(m, 4096);
      System.out.printf("plain fp32 GEMM 2048^3: %.1f GFLOP/s%n", gemm);
      System.out.printf("plain fp32 GEMV 4096x4096: %.1f GB/s of weights%n", gemv);

      LlavaWeights.Text w = RandomWeights.text(c, m, 42, 0.02f);
      try (LlamaDecoder decoder = new LlamaDecoder(c, w, m)) {
        long layerParams = (long) c.numHiddenLayers()
            * ((long) c.hiddenSize() * c.qkvSize() + (long) c.hiddenSize() * c.numAttentionHeads() * c.headDim()
                + 3L * c.hiddenSize() * c.intermediateSize());
        long headParams = (long) c.vocabSize() * c.hiddenSize();

        // Prefill: best of 3, logits for the last position (serving) and for all positions (HF forward).
        for (boolean all : new boolean[] {false, true}) {
          double best = Double.MAX_VALUE;
          for (int rep = 0; rep < 3; rep++) {
            long[] ids = randomIds(promptTokens, c.vocabSize(), rep);
            try (NDManager step = m.newSubManager(); KvCache cache = decoder.newCache(promptTokens, step)) {
              NDArray embeds = decoder.embed(ids, step);
              long t0 = System.nanoTime();
              decoder.prefill(embeds, cache, all).getFloat(0, 0);
              best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
          }
          double attention = 4.0 * c.numHiddenLayers() * promptTokens * (double) promptTokens * c.numAttentionHeads() * c.headDim();
          double flops = 2.0 * promptTokens * layerParams + attention + 2.0 * (all ? promptTokens : 1) * headParams;
          double gflops = flops / best / 1e9;
          System.out.printf("prefill %d tokens, logits for %s: %.2f s, %.0f tokens/s, %.1f GFLOP/s = %.2f of GEMM%n",
              promptTokens, all ? "all positions" : "last position", best, promptTokens / best, gflops, gflops / gemm);
        }

        double bytesPerStep = 4.0 * (layerParams + headParams);
        double single = decodeTokensPerSecond(decoder, m, 1, context, steps);
        double bound = gemv * 1e9 / bytesPerStep;
        System.out.printf("decode batch 1 (context %d): %.2f tokens/s = %.2f of the weight-streaming bound"
            + " (%.2f GB of weights per step / GEMV bandwidth = %.1f steps/s)%n", context, single, single / bound,
            bytesPerStep / 1e9, bound);
        double batched = decodeTokensPerSecond(decoder, m, batch, context, steps);
        System.out.printf("decode batch %d (context %d): %.2f tokens/s = %.1fx batch 1%n", batch, context, batched, batched / single);
      }
    }
  }

  private static double decodeTokensPerSecond(LlamaDecoder decoder, NDManager m, int batch, int context, int steps) {
    try (NDManager scope = m.newSubManager()) {
      List<KvCache> caches = new ArrayList<>();
      long[] next = new long[batch];
      for (int b = 0; b < batch; b++) {
        KvCache cache = decoder.newCache(context + steps + 1, scope);
        try (NDManager step = scope.newSubManager()) {
          decoder.prefill(decoder.embed(randomIds(context, decoder.config().vocabSize(), 100 + b), step), cache, false);
        }
        caches.add(cache);
        next[b] = b + 1;
      }
      try (NDManager step = scope.newSubManager()) { // warm-up step
        decoder.decode(next, caches, step).getFloat(0, 0);
      }
      long t0 = System.nanoTime();
      for (int s = 0; s < steps; s++) {
        try (NDManager step = scope.newSubManager()) {
          NDArray logits = decoder.decode(next, caches, step);
          long[] argmax = logits.argMax(1).toLongArray();
          System.arraycopy(argmax, 0, next, 0, batch);
        }
      }
      return (double) batch * steps / ((System.nanoTime() - t0) / 1e9);
    }
  }

  private static double gemmGflops(NDManager m, int n) {
    try (NDManager scope = m.newSubManager()) {
      NDArray a = scope.randomNormal(new Shape(n, n));
      NDArray b = scope.randomNormal(new Shape(n, n));
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 6; i++) {
        long t0 = System.nanoTime();
        try (NDArray c = a.matMul(b)) {
          c.getFloat(0, 0);
        }
        if (i > 0) best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      }
      return 2.0 * n * n * (double) n / best / 1e9;
    }
  }

  private static double gemvGbPerSecond(NDManager m, int n) {
    try (NDManager scope = m.newSubManager()) {
      NDArray w = scope.randomNormal(new Shape(n, n));
      NDArray x = scope.randomNormal(new Shape(1, n));
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 21; i++) {
        long t0 = System.nanoTime();
        try (NDArray y = x.getNDArrayInternal().linear(x, w, null).singletonOrThrow()) {
          y.getFloat(0, 0);
        }
        if (i > 0) best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      }
      return 4.0 * n * n / best / 1e9;
    }
  }

  private static long[] randomIds(int n, int vocab, long seed) {
    Random r = new Random(seed);
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) ids[i] = r.nextInt(vocab);
    return ids;
  }
}
