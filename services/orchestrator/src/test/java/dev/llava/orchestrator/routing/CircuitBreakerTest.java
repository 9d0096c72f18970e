package dev.llava.orchestrator.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final AtomicLong now = new AtomicLong();
  private final CircuitBreaker breaker = new CircuitBreaker(3, 1_000, now::get);

  @Test
  void opensAfterThresholdConsecutiveFailures() {
    breaker.onFailure();
    breaker.onFailure();
    assertTrue(breaker.tryAcquire());
    breaker.onFailure();
    assertEquals(CircuitBreaker.State.OPEN, breaker.state());
    assertFalse(breaker.tryAcquire());
  }

  @Test
  void aSuccessResetsTheFailureCount() {
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();
    assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
  }

  @Test
  void halfOpenLetsExactlyOneTrialThroughAfterTheCoolDown() {
    for (int i = 0; i < 3; i++) {
      breaker.onFailure();
    }
    now.addAndGet(999);
    assertFalse(breaker.tryAcquire());
    now.addAndGet(1);
    assertTrue(breaker.tryAcquire(), "the trial call");
    assertFalse(breaker.tryAcquire(), "only one trial at a time");
    breaker.onSuccess();
    assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
    assertTrue(breaker.tryAcquire());
  }

  @Test
  void aFailedTrialOpensTheBreakerForAnotherCoolDown() {
    for (int i = 0; i < 3; i++) {
      breaker.onFailure();
    }
    now.addAndGet(1_000);
    assertTrue(breaker.tryAcquire());
    breaker.onFailure();
    assertFalse(breaker.tryAcquire());
    now.addAndGet(1_000);
    assertTrue(breaker.tryAcquire());
  }

  @Test
  void aCancelledTrialFreesTheTrialSlot() {
    for (int i = 0; i < 3; i++) {
      breaker.onFailure();
    }
    now.addAndGet(1_000);
    assertTrue(breaker.tryAcquire());
    breaker.onNeutral();
    assertTrue(breaker.tryAcquire());
  }
}
