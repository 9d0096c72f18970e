package dev.llava.orchestrator.testing;

import io.grpc.Status;
import java.util.concurrent.atomic.AtomicInteger;

/** "Fail the next n calls with this status", shared by all replicas of a test backend. */
public final class FailureScript {
  private final AtomicInteger remaining = new AtomicInteger();
  private volatile Status status = Status.UNAVAILABLE;

  public void failNext(int n, Status status) {
    this.status = status;
    remaining.set(n);
  }

  /** The status to fail this call with, or null to serve it. */
  Status take() {
    return remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0 ? status : null;
  }

  void reset() {
    remaining.set(0);
  }
}
