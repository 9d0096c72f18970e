package dev.llava.loadtest;

import java.util.SplittableRandom;

/**
 * Open-loop arrival times: exponential gaps at a given mean rate, so a slow server cannot slow the load
 * down (the coordinated-omission trap of closed-loop testers).
 */
public final class PoissonArrivals {
  private final double ratePerSecond;
  private final SplittableRandom random;
  private double nextNanos;

  public PoissonArrivals(double ratePerSecond, long seed) {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("arrival rate must be > 0 requests/s, got " + ratePerSecond);
    }
    this.ratePerSecond = ratePerSecond;
    this.random = new SplittableRandom(seed);
  }

  /** Nanoseconds from the start of the run at which the next request is due. */
  public long nextArrivalNanos() {
    // inverse CDF of the exponential distribution; 1 - u avoids log(0)
    double gapSeconds = -Math.log(1.0 - random.nextDouble()) / ratePerSecond;
    nextNanos += gapSeconds * 1e9;
    return (long) nextNanos;
  }
}
