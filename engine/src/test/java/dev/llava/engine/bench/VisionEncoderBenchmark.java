package dev.llava.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.llava.engine.TestCheckpoints;
import dev.llava.engine.vision.BatchingOptions;
import dev.llava.engine.vision.ImageLimits;
import dev.llava.engine.vision.VisionEncoderEngine;
import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.runtime.LlavaRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;

/**
 * Vision encoder figures, all as ratios from one run (the machine is shared):
 * <ol>
 *   <li>CLIP FLOP/s on a ViT-L/14-336-shaped tower (random weights, 23 of 24 layers as LLaVA uses) against a plain
 *       fp32 2048^3 GEMM;</li>
 *   <li>images/s through the engine at concurrency 1 vs 8 (batching gain), cache off;</li>
 *   <li>latency of an AnyRes image (1000x700, 5 tiles) uncached vs cached.</li>
 * </ol>
 * Run from {@code engine/}:
 * <pre>
 * ../mvnw -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.llava.engine.bench.VisionEncoderBenchmark -Dai.djl.offline=true [-Dexec.args="256 4"]
 * </pre>
 * Arguments: width and depth of the tower used for the engine measurements (default 512 x 6; 1024 x 24 is
 * ViT-L, slow on 2 cores).
 */
public final class VisionEncoderBenchmark {
  private VisionEncoderBenchmark() {}

  public static void main(String[] args) throws Exception {
    int hidden = args.length > 0 ? Integer.parseInt(args[0]) : 512;
    int layers = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    Path work = Files.createTempDirectory("vision-bench-");
    Path preprocessor = TestCheckpoints.llavaNext().resolve("preprocessor_config.json");

    double gemm = gemmGflops();
    System.out.printf("plain fp32 GEMM 2048^3: %.1f GFLOP/s%n", gemm);

    // 1. ViT-L/14-336 geometry: hidden 1024, 24 layers (23 run), 16 heads, MLP 4096, 577 tokens per tile.
    Path vitL = RandomClipCheckpoint.write(work.resolve("vit-l"), 1024, 24, 16, 4096, preprocessor);
    try (LlavaRuntime rt = LlavaRuntime.load(vitL, EnumSet.of(ModelPart.VISION))) {
      float[] tile = new float[3 * 336 * 336];
      rt.encodeTiles(tile, 1); // warm-up
      int reps = 2;
      long start = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        rt.encodeTiles(tile, 1);
      }
      double seconds = (System.nanoTime() - start) / 1e9 / reps;
      double flops = clipFlops(1024, 4096, 23, 577);
      System.out.printf("CLIP ViT-L/14-336 one tile: %.2f s, %.1f GFLOP/s = %.2f of GEMM (PyTorch eager peer: "
          + "3.9 s, 0.56)%n", seconds, flops / seconds / 1e9, flops / seconds / 1e9 / gemm);
    }

    // 2 + 3. Engine: batching gain and cache, on a smaller tower so the run stays short.
    Path dir = RandomClipCheckpoint.write(work.resolve("clip"), hidden, layers, Math.max(1, hidden / 64),
        4 * hidden, preprocessor);
    try (LlavaRuntime rt = LlavaRuntime.load(dir, EnumSet.of(ModelPart.VISION))) {
      int images = 16;
      List<byte[]> distinct = new ArrayList<>();
      for (int i = 0; i < 2 * images; i++) {
        distinct.add(png(336, 336, i)); // one tile each: isolates batching from tiling
      }
      double single = throughput(rt, distinct.subList(0, images), 1);
      double concurrent = throughput(rt, distinct.subList(images, 2 * images), 8);
      System.out.printf("engine (CLIP %d x %d layers): %.2f images/s at concurrency 1, %.2f at 8 = %.2fx%n",
          hidden, layers, single, concurrent, concurrent / single);

      try (VisionEncoderEngine engine = engine(rt, 256L << 20)) {
        byte[] anyRes = png(1000, 700, 99);
        long t0 = System.nanoTime();
        engine.encode(anyRes).get();
        double uncached = (System.nanoTime() - t0) / 1e6;
        double cached = Double.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
          long t1 = System.nanoTime();
          engine.encode(anyRes).get();
          cached = Math.min(cached, (System.nanoTime() - t1) / 1e6);
        }
        System.out.printf("AnyRes 1000x700 (5 tiles): uncached %.1f ms, cached %.3f ms = %.0fx lower latency%n",
            uncached, cached, uncached / cached);
      }
    }
  }

  private static VisionEncoderEngine engine(LlavaRuntime rt, long cacheBytes) {
    return new VisionEncoderEngine(rt, "bench", new ImageLimits(64 << 20, 100_000_000, 16),
        new BatchingOptions(16, Duration.ofMillis(10), 1024, 2), cacheBytes, false, new SimpleMeterRegistry());
  }

  private static double throughput(LlavaRuntime rt, List<byte[]> images, int concurrency) throws Exception {
    try (VisionEncoderEngine engine = engine(rt, 0)) {
      engine.encode(png(336, 336, 1000)).get(); // warm-up
      ExecutorService clients = Executors.newFixedThreadPool(concurrency);
      try {
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        int perClient = images.size() / concurrency;
        for (int c = 0; c < concurrency; c++) {
          List<byte[]> mine = images.subList(c * perClient, (c + 1) * perClient);
          done.add(clients.submit(() -> {
            for (byte[] image : mine) {
              engine.encode(image).join();
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
        return images.size() / ((System.nanoTime() - start) / 1e9);
      } finally {
        clients.shutdownNow();
      }
    }
  }

  /** Multiply-adds of the CLIP layers that run, x2 for FLOPs: projections, attention scores/values, MLP. */
  static double clipFlops(int hidden, int mlp, int layers, int tokens) {
    double perLayer = 4.0 * tokens * hidden * hidden + 2.0 * tokens * tokens * hidden + 2.0 * tokens * hidden * mlp;
    double patchEmbed = (double) (tokens - 1) * 3 * 14 * 14 * hidden;
    return 2 * (layers * perLayer + patchEmbed);
  }

  static double gemmGflops() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.randomNormal(new Shape(2048, 2048));
      NDArray b = m.randomNormal(new Shape(2048, 2048));
      a.matMul(b).close();
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 3; i++) {
        long t = System.nanoTime();
        NDArray c = a.matMul(b);
        c.getFloat(0, 0); // force completion
        best = Math.min(best, (System.nanoTime() - t) / 1e9);
        c.close();
      }
      return 2.0 * 2048 * 2048 * 2048 / best / 1e9;
    }
  }

  static byte[] png(int width, int height, int seed) throws Exception {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(Color.HSBtoRGB(seed * 0.137f, 0.6f, 0.9f)));
    g.fillRect(0, 0, width, height);
    g.setColor(Color.DARK_GRAY);
    g.fillOval(width / 3, height / 3, width / 3, height / 3);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
