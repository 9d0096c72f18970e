package dev.llava.engine.lm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The projector-lm meters of {@code docs/METRICS.md}, registered at construction so scrapers and autoscalers
 * see every name (at zero) before the first request. Micrometer names map to Prometheus as
 * {@code llava.lm.stage} -> {@code llava_lm_stage_seconds}, counters gain {@code _total}.
 */
public final class LmMetrics {
  final Timer timeToFirstToken;
  final Timer interTokenLatency;
  final Timer requestDuration;
  final Counter promptTokens;
  final Counter generationTokens;
  final Timer projectStage;
  final Timer prefillStage;
  final Timer decodeStage;
  final DistributionSummary batchSize;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicLong kvTokensInUse = new AtomicLong();

  public LmMetrics(MeterRegistry registry, int kvCacheTokenBudget) {
    timeToFirstToken = latency("llava.lm.time.to.first.token", "request start to first token",
        Duration.ofMillis(1), Duration.ofMinutes(5)).register(registry);
    interTokenLatency = latency("llava.lm.inter.token.latency", "between consecutive tokens of a sequence",
        Duration.ofNanos(100_000), Duration.ofSeconds(30)).register(registry);
    requestDuration = latency("llava.lm.request.duration", "request start to the final chunk",
        Duration.ofMillis(1), Duration.ofMinutes(30)).register(registry);
    promptTokens = Counter.builder("llava.lm.prompt.tokens").description("prompt tokens prefilled")
        .register(registry);
    generationTokens = Counter.builder("llava.lm.generation.tokens").description("tokens generated")
        .register(registry);
    projectStage = stage(registry, "project");
    prefillStage = stage(registry, "prefill");
    decodeStage = stage(registry, "decode");
    batchSize = DistributionSummary.builder("llava.lm.batch.size").description("sequences per decode step")
        .register(registry);
    Gauge.builder("llava.lm.running.sequences", running, AtomicInteger::get)
        .description("sequences in the running batch").strongReference(true).register(registry);
    Gauge.builder("llava.lm.waiting.sequences", waiting, AtomicInteger::get)
        .description("sequences waiting for admission").strongReference(true).register(registry);
    Gauge.builder("llava.lm.kv.cache.usage.ratio", kvTokensInUse, v -> v.get() / (double) kvCacheTokenBudget)
        .description("KV-cache token budget in use (0..1)").strongReference(true).register(registry);
  }

  private static Timer.Builder latency(String name, String description, Duration min, Duration max) {
    return Timer.builder(name).description(description).publishPercentileHistogram()
        .minimumExpectedValue(min).maximumExpectedValue(max);
  }

  private static Timer stage(MeterRegistry registry, String stage) {
    return Timer.builder("llava.lm.stage").description("time per stage: project, prefill, decode")
        .tag("stage", stage).register(registry);
  }

  void setQueues(int runningSequences, int waitingSequences, long kvTokens) {
    running.set(runningSequences);
    waiting.set(waitingSequences);
    kvTokensInUse.set(kvTokens);
  }

  void setWaiting(int waitingSequences) {
    waiting.set(waitingSequences);
  }
}
