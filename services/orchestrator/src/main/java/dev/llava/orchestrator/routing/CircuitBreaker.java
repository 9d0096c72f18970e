package dev.llava.orchestrator.routing;

import java.util.function.LongSupplier;

/**
 * One endpoint's breaker: CLOSED lets calls through and counts consecutive failures; {@code threshold} of
 * them open it; OPEN rejects calls until {@code coolDown} has passed, then lets exactly one trial call through
 * (HALF_OPEN); the trial's success closes it, its failure opens it again for another cool-down.
 */
public final class CircuitBreaker {
  public enum State { CLOSED, OPEN, HALF_OPEN }

  private final int threshold;
  private final long coolDownNanos;
  private final LongSupplier nanoClock;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private long openedAtNanos;
  private boolean trialInFlight;

  public CircuitBreaker(int threshold, long coolDownNanos, LongSupplier nanoClock) {
    if (threshold < 1) {
      throw new IllegalArgumentException("circuit-breaker.failure-threshold must be >= 1, got " + threshold);
    }
    this.threshold = threshold;
    this.coolDownNanos = coolDownNanos;
    this.nanoClock = nanoClock;
  }

  /** Whether a call would be let through now (no state change). */
  public synchronized boolean wouldPermit() {
    return switch (state) {
      case CLOSED -> true;
      case OPEN -> nanoClock.getAsLong() - openedAtNanos >= coolDownNanos;
      case HALF_OPEN -> !trialInFlight;
    };
  }

  /** Takes a permit for one call; false when the breaker rejects it. */
  public synchronized boolean tryAcquire() {
    switch (state) {
      case CLOSED:
        return true;
      case OPEN:
        if (nanoClock.getAsLong() - openedAtNanos < coolDownNanos) {
          return false;
        }
        state = State.HALF_OPEN;
        trialInFlight = true;
        return true;
      default:
        if (trialInFlight) {
          return false;
        }
        trialInFlight = true;
        return true;
    }
  }

  /** The endpoint answered (whatever the answer): it is healthy. */
  public synchronized void onSuccess() {
    consecutiveFailures = 0;
    trialInFlight = false;
    state = State.CLOSED;
  }

  /** The endpoint failed (unreachable, timed out, crashed). */
  public synchronized void onFailure() {
    consecutiveFailures++;
    trialInFlight = false;
    if (state == State.HALF_OPEN || consecutiveFailures >= threshold) {
      state = State.OPEN;
      openedAtNanos = nanoClock.getAsLong();
    }
  }

  /** The call ended without a verdict (cancelled by us): a half-open breaker may try again. */
  public synchronized void onNeutral() {
    trialInFlight = false;
  }

  public synchronized State state() {
    if (state == State.OPEN && nanoClock.getAsLong() - openedAtNanos >= coolDownNanos) {
      return State.HALF_OPEN;
    }
    return state;
  }
}
