package dev.llava.model.train;

import dev.llava.model.data.Scene;
import dev.llava.model.data.SceneRenderer;
import dev.llava.model.data.SceneSampler;
import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.LlavaImageProcessor;
import dev.llava.model.image.PixelValues;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An endless, seeded stream of freshly drawn shapes scenes as the model sees them: each scene rendered in memory
 * (the pixels the generator would write as PNG), run through the model's own image processor, and paired with its
 * {@link PatchTargets}. Example {@code i} depends only on (seed, i), so a run is reproducible whatever the thread
 * count. Batches are made one ahead on a small pool, beside the training thread.
 */
final class SceneExamples implements AutoCloseable {
  /** One image: pixels {@code [tiles, 3, S, S]} and its patches' targets. */
  record Example(PixelValues pixels, PatchTargets.Targets targets) {}

  private final LlavaImageProcessor processor;
  private final int patchSize;
  private final long seed;
  private final ExecutorService pool;

  SceneExamples(LlavaImageProcessor processor, int patchSize, long seed, int threads) {
    this.processor = processor;
    this.patchSize = patchSize;
    this.seed = seed;
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "llava-scene-examples");
      t.setDaemon(true);
      return t;
    });
  }

  /** Example {@code index} of this stream. */
  Example example(long index) {
    Scene scene = SceneSampler.sample(new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index));
    PixelValues pixels = processor.process(ImageDecoder.toRgb(SceneRenderer.render(scene))).pixels();
    PatchTargets.Targets targets = PatchTargets.of(scene, processor.config(), patchSize);
    if (targets.kinds().length % pixels.tiles() != 0) {
      throw new IllegalStateException(targets.kinds().length + " patch targets do not split into the "
          + pixels.tiles() + " tiles of the processed image");
    }
    return new Example(pixels, targets);
  }

  /** Examples {@code [from, from + count)}, made in parallel. */
  CompletableFuture<List<Example>> batch(long from, int count) {
    List<CompletableFuture<Example>> parts = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long index = from + i;
      parts.add(CompletableFuture.supplyAsync(() -> example(index), pool));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(done -> parts.stream().map(CompletableFuture::join).toList());
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
