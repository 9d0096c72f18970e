package dev.llava.orchestrator.metrics;

import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The orchestrator's metrics (docs/METRICS.md), all registered at startup so every series is on
 * {@code /q/metrics} before the first request: {@code llava_orchestrator_inflight_requests},
 * {@code llava_orchestrator_requests_total{api,outcome}}, {@code llava_orchestrator_request_duration_seconds}
 * (histogram) and {@code llava_orchestrator_stage_seconds{stage}}.
 */
@Startup
@ApplicationScoped
public class OrchestratorMetrics {
  public static final List<String> APIS = List.of("grpc", "rest", "kafka");
  public static final List<String> OUTCOMES = List.of("ok", "cancelled", "invalid_argument", "unauthenticated",
      "permission_denied", "not_found", "resource_exhausted", "deadline_exceeded", "unavailable", "error");
  /** Stages: the orchestrator's own image fetch/decode and encode phase, and projector-lm's reported ones. */
  public static final List<String> STAGES = List.of("image_fetch", "encode", "queue", "prefill", "first_token", "decode");

  private final AtomicInteger inflight = new AtomicInteger();
  private final Map<String, Counter> requests = new HashMap<>();
  private final Map<String, Timer> stages = new HashMap<>();
  private final Timer duration;

  @Inject
  public OrchestratorMetrics(MeterRegistry registry) {
    Gauge.builder("llava.orchestrator.inflight.requests", inflight, AtomicInteger::get)
        .description("Requests in progress (autoscaling signal)").register(registry);
    for (String api : APIS) {
      for (String outcome : OUTCOMES) {
        requests.put(api + "/" + outcome, Counter.builder("llava.orchestrator.requests")
            .description("Requests by API and outcome").tag("api", api).tag("outcome", outcome).register(registry));
      }
    }
    duration = Timer.builder("llava.orchestrator.request.duration")
        .description("End-to-end request duration").publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(5)).maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
    for (String stage : STAGES) {
      stages.put(stage, Timer.builder("llava.orchestrator.stage").description("Time per request stage")
          .tag("stage", stage).register(registry));
    }
  }

  public void started() {
    inflight.incrementAndGet();
  }

  public void finished(String api, Status.Code code, long nanos) {
    inflight.decrementAndGet();
    count(api, code);
    duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A request refused before it entered the pipeline (authentication). */
  public void rejected(String api, Status.Code code) {
    count(api, code);
  }

  public void stage(String stage, double millis) {
    Timer timer = stages.get(stage);
    if (timer != null && millis > 0) {
      timer.record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
    }
  }

  public int inflight() {
    return inflight.get();
  }

  private void count(String api, Status.Code code) {
    Counter c = requests.get(api + "/" + outcome(code));
    if (c != null) {
      c.increment();
    }
  }

  static String outcome(Status.Code code) {
    return switch (code) {
      case OK -> "ok";
      case CANCELLED, INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, RESOURCE_EXHAUSTED,
          DEADLINE_EXCEEDED, UNAVAILABLE -> code.name().toLowerCase(Locale.ROOT);
      case OUT_OF_RANGE, FAILED_PRECONDITION -> "invalid_argument";
      default -> "error";
    };
  }
}
