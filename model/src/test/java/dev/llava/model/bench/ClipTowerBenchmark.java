package dev.llava.model.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.config.VisionConfig;
import dev.llava.model.nn.ClipVisionTower;
import dev.llava.model.nn.RandomWeights;
import java.lang.management.ManagementFactory;

/**
 * CLIP ViT-L/14 at 336px as LLaVA runs it (23 of 24 layers, random fp32 weights), one tile and a
 * LLaVA-NeXT batch of 5 tiles, as a ratio of a 2048^3 GEMM measured in the same run (wall clock
 * and per CPU-second, as in {@link DecoderBenchmark}). Run like DecoderBenchmark with
 * {@code -Dexec.mainClass=dev.llava.model.bench.ClipTowerBenchmark}.
 */
public final class ClipTowerBenchmark {
  private ClipTowerBenchmark() {}

  public static void main(String[] args) throws Exception {
    LlavaConfig config = LlavaConfig.parse("{\"model_type\": \"llava\"}"); // defaults: CLIP ViT-L/14-336, layer -2
    VisionConfig v = config.visionConfig();
    int layers = config.visionHiddenStateIndex();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (NDManager m = NDManager.newBaseManager()) {
      System.out.printf("torch intra-op threads: %d; CLIP layers run: %d%n", JniUtils.getNumThreads(), layers);
      NDArray a = m.randomNormal(new Shape(2048, 2048));
      NDArray b = m.randomNormal(new Shape(2048, 2048));
      double gemmWall = Double.MAX_VALUE;
      double gemmCpu = Double.MAX_VALUE;
      for (int i = 0; i < 6; i++) {
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        a.matMul(b).close();
        if (i > 0) {
          gemmWall = Math.min(gemmWall, (System.nanoTime() - t0) / 1e9);
          gemmCpu = Math.min(gemmCpu, (os.getProcessCpuTime() - cpu0) / 1e9);
        }
      }
      double gemmFlops = 2.0 * 2048 * 2048 * 2048;
      System.out.printf("plain fp32 GEMM 2048^3: %.1f GFLOP/s (per CPU-second %.1f)%n", gemmFlops / gemmWall / 1e9,
          gemmFlops / gemmCpu / 1e9);

      ClipVisionTower tower = new ClipVisionTower(config, RandomWeights.vision(v, layers, m, 7, 0.02f));
      long n = v.numPositions();
      long h = v.hiddenSize();
      double perLayer = 2.0 * n * (4 * h * h + 2 * h * v.intermediateSize()) + 4.0 * n * n * h;
      double perTile = 2.0 * v.numPatches() * h * v.numChannels() * v.patchSize() * v.patchSize() + layers * perLayer;
      for (int tiles : new int[] {1, 5}) {
        NDArray pixels = m.randomNormal(new Shape(tiles, 3, v.imageSize(), v.imageSize()));
        double wall = Double.MAX_VALUE;
        double cpu = Double.MAX_VALUE;
        for (int rep = 0; rep < 3; rep++) {
          long cpu0 = os.getProcessCpuTime();
          long t0 = System.nanoTime();
          tower.forward(pixels).close();
          wall = Math.min(wall, (System.nanoTime() - t0) / 1e9);
          cpu = Math.min(cpu, (os.getProcessCpuTime() - cpu0) / 1e9);
        }
        double flops = tiles * perTile;
        System.out.printf("CLIP %d tile(s): %.2f s/tile, %.1f GFLOP/s = %.2f of GEMM (per CPU-second: %.2f s/tile, %.2f of GEMM)%n",
            tiles, wall / tiles, flops / wall / 1e9, (flops / wall) / (gemmFlops / gemmWall), cpu / tiles,
            (flops / cpu) / (gemmFlops / gemmCpu));
        pixels.close();
      }
    }
  }
}
