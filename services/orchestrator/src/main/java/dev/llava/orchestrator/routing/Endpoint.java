package dev.llava.orchestrator.routing;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** One backend replica: its channel, its outstanding-call count (the routing signal) and its breaker. */
public final class Endpoint {
  private final String address;
  private final ManagedChannel channel;
  private final CircuitBreaker breaker;
  private final AtomicInteger outstanding = new AtomicInteger();

  Endpoint(String address, ManagedChannel channel, CircuitBreaker breaker) {
    this.address = address;
    this.channel = channel;
    this.breaker = breaker;
  }

  public String address() {
    return address;
  }

  ManagedChannel channel() {
    return channel;
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  public int outstanding() {
    return outstanding.get();
  }

  void begin() {
    outstanding.incrementAndGet();
  }

  /** Ends one call and tells the breaker how it went. */
  void end(Verdict verdict) {
    outstanding.decrementAndGet();
    switch (verdict) {
      case HEALTHY -> breaker.onSuccess();
      case FAILED -> breaker.onFailure();
      case NEUTRAL -> breaker.onNeutral();
    }
  }

  void shutdown() {
    channel.shutdown();
  }

  void awaitTermination(long millis) throws InterruptedException {
    if (!channel.awaitTermination(millis, TimeUnit.MILLISECONDS)) {
      channel.shutdownNow();
    }
  }

  /** How a finished call reflects on the endpoint's health. */
  enum Verdict {
    HEALTHY, FAILED, NEUTRAL;

    /**
     * Unreachable, crashed or too slow within our own deadline counts against the endpoint; an answer the
     * endpoint chose to give (INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED...) shows it is alive.
     */
    static Verdict of(Status.Code code, boolean ownDeadline) {
      return switch (code) {
        case OK -> HEALTHY;
        case UNAVAILABLE, INTERNAL, UNKNOWN -> FAILED;
        case DEADLINE_EXCEEDED -> ownDeadline ? FAILED : NEUTRAL;
        case CANCELLED -> NEUTRAL;
        default -> HEALTHY;
      };
    }
  }

  @Override
  public String toString() {
    return address + "(outstanding=" + outstanding.get() + ", breaker=" + breaker.state() + ")";
  }
}
