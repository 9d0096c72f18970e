package dev.llava.engine.vision;

import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.ImageHeader;
import dev.llava.model.image.ProcessedImage;
import dev.llava.model.runtime.LlavaRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Images in, pre-projector CLIP features out: limit checks, content-addressed cache, decode + AnyRes tiling on a
 * small CPU pool, then CLIP through the {@link TileBatcher} so tiles of concurrent requests share forward passes.
 * Thread-safe; all DJL work happens on the batcher's single inference thread.
 */
public final class VisionEncoderEngine implements AutoCloseable {

  /** One encoded image and where its time went. */
  public record Encoded(EncodedFeatures features, boolean cacheHit, long decodeNanos, long preprocessNanos,
      long encodeNanos) {}

  private final LlavaRuntime runtime;
  private final String modelName;
  private final ImageLimits limits;
  private final ImageDecoder decoder;
  private final FeatureCache cache;
  private final TileBatcher batcher;
  private final ExecutorService preprocessPool;
  private final VisionMetrics metrics;
  private final int patches;
  private final int width;

  public VisionEncoderEngine(LlavaRuntime runtime, String modelName, ImageLimits limits, BatchingOptions batching,
      long cacheBytes, boolean applyExifOrientation, MeterRegistry registry) {
    this.runtime = runtime;
    this.modelName = modelName;
    this.limits = limits;
    this.decoder = new ImageDecoder(applyExifOrientation, limits.maxImagePixels());
    this.cache = new FeatureCache(cacheBytes);
    this.patches = runtime.patchesPerTile();
    this.width = runtime.visionWidth();
    int side = runtime.imageProcessor().config().cropSize().height();
    TileBatcher[] holder = new TileBatcher[1];
    this.metrics = new VisionMetrics(registry, () -> holder[0] == null ? 0 : holder[0].queuedTiles());
    this.batcher = new TileBatcher(runtime::encodeTiles, 3 * side * side, patches * width,
        batching.maxTilesPerBatch(), batching.maxWait(), batching.queueCapacity(), metrics::onBatch,
        "clip-" + runtime.model().device());
    holder[0] = batcher;
    AtomicInteger n = new AtomicInteger();
    this.preprocessPool = Executors.newFixedThreadPool(Math.max(1, batching.preprocessThreads()), r -> {
      Thread t = new Thread(r, "vision-preprocess-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public String modelName() {
    return modelName;
  }

  public String revision() {
    return runtime.revision();
  }

  public ImageLimits limits() {
    return limits;
  }

  public FeatureCache cache() {
    return cache;
  }

  /** Forward passes run so far (for tests and metrics). */
  public long batches() {
    return (long) metrics.batchSize.count();
  }

  /**
   * Encodes one image. Fails with {@link IllegalArgumentException} (bad or oversized image) or
   * {@link OverloadedException} (queue full), either thrown or through the future.
   */
  public CompletableFuture<Encoded> encode(byte[] data) {
    if (data.length == 0) {
      throw reject("invalid", new IllegalArgumentException("image data is empty (expected PNG, JPEG, WebP, GIF or BMP bytes)"));
    }
    if (data.length > limits.maxImageBytes()) {
      throw reject("invalid", new IllegalArgumentException("image is " + data.length + " bytes, the limit is "
          + limits.maxImageBytes()));
    }
    String digest = "sha256:" + sha256(data);
    String key = digest + "@" + runtime.revision(); // revision covers the preprocessing config too
    EncodedFeatures cached = cache.get(key);
    if (cached != null) {
      metrics.cacheHits.increment();
      return CompletableFuture.completedFuture(new Encoded(cached, true, 0, 0, 0));
    }
    metrics.cacheMisses.increment();
    long[] nanos = new long[2];
    CompletableFuture<ProcessedImage> processed;
    try {
      processed = CompletableFuture.supplyAsync(() -> {
        long t0 = System.nanoTime();
        var rgb = decodeWithinLimits(data);
        long t1 = System.nanoTime();
        ProcessedImage p = runtime.imageProcessor().process(rgb);
        nanos[0] = t1 - t0;
        nanos[1] = System.nanoTime() - t1;
        metrics.decode.record(java.time.Duration.ofNanos(nanos[0]));
        metrics.preprocess.record(java.time.Duration.ofNanos(nanos[1]));
        return p;
      }, preprocessPool);
    } catch (RejectedExecutionException e) {
      throw reject("overloaded", new OverloadedException("vision encoder is shutting down"));
    }
    return processed.thenCompose(p -> {
      long start = System.nanoTime();
      CompletableFuture<float[]> features;
      try {
        features = batcher.submit(p.pixels().data(), p.pixels().tiles());
      } catch (OverloadedException e) {
        throw reject("overloaded", e);
      }
      return features.thenApply(f -> {
        EncodedFeatures ef = new EncodedFeatures(f, p.pixels().tiles(), patches, width, p.layout(), digest);
        cache.put(key, ef);
        return new Encoded(ef, false, nanos[0], nanos[1], System.nanoTime() - start);
      });
    });
  }

  /** Header first (refusing decompression bombs before any pixel is allocated), then the full decode. */
  private dev.llava.model.image.RgbImage decodeWithinLimits(byte[] data) {
    try {
      ImageHeader header = decoder.probe(data);
      if (header.pixels() > limits.maxImagePixels()) {
        throw new IllegalArgumentException("image is " + header.width() + "x" + header.height() + " = "
            + header.pixels() + " pixels, the limit is " + limits.maxImagePixels());
      }
      return decoder.decode(data);
    } catch (IllegalArgumentException e) {
      throw reject("invalid", e);
    }
  }

  private <E extends RuntimeException> E reject(String reason, E e) {
    metrics.rejected(reason).increment();
    return e;
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  @Override
  public void close() {
    preprocessPool.shutdownNow();
    batcher.close();
  }
}
