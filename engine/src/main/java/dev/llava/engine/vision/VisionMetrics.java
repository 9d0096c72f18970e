package dev.llava.engine.vision;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The vision encoder's meters, named as in docs/METRICS.md and registered before any traffic. */
final class VisionMetrics {
  final Timer decode;
  final Timer preprocess;
  final Timer encode;
  final DistributionSummary batchSize;
  final Counter cacheHits;
  final Counter cacheMisses;
  final Counter tilesEncoded;
  private final MeterRegistry registry;

  VisionMetrics(MeterRegistry registry, Supplier<Number> queueDepth) {
    this.registry = registry;
    decode = stage("decode");
    preprocess = stage("preprocess");
    encode = stage("encode");
    batchSize = DistributionSummary.builder("llava.vision.batch.size")
        .description("Tiles per CLIP forward pass").register(registry);
    cacheHits = Counter.builder("llava.vision.cache.requests").tag("result", "hit")
        .description("Feature cache lookups").register(registry);
    cacheMisses = Counter.builder("llava.vision.cache.requests").tag("result", "miss")
        .description("Feature cache lookups").register(registry);
    tilesEncoded = Counter.builder("llava.vision.tiles.encoded").description("Tiles run through CLIP")
        .register(registry);
    Gauge.builder("llava.vision.queue.depth", queueDepth).description("Tiles waiting for a CLIP batch")
        .register(registry);
    for (String reason : new String[] {"invalid", "overloaded"}) {
      rejected(reason);
    }
  }

  private Timer stage(String name) {
    return Timer.builder("llava.vision.stage").tag("stage", name).description("Time per vision stage")
        .publishPercentileHistogram().register(registry);
  }

  Counter rejected(String reason) {
    return Counter.builder("llava.vision.rejected").tag("reason", reason)
        .description("Encode requests rejected").register(registry);
  }

  void onBatch(int tiles, long nanos) {
    batchSize.record(tiles);
    tilesEncoded.increment(tiles);
    encode.record(nanos, TimeUnit.NANOSECONDS);
  }
}
