package dev.llava.loadtest;

import java.util.Arrays;

/** Collects latency samples (milliseconds) and reports exact percentiles (nearest-rank). */
public final class LatencyRecorder {
  private double[] samples = new double[1024];
  private int count;

  public synchronized void record(double millis) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, count * 2);
    }
    samples[count++] = millis;
  }

  public synchronized int count() {
    return count;
  }

  /** Nearest-rank percentile, {@code p} in (0, 100]; NaN when empty. */
  public synchronized double percentile(double p) {
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
    }
    if (count == 0) {
      return Double.NaN;
    }
    double[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * count);
    return sorted[Math.max(rank, 1) - 1];
  }

  public synchronized double mean() {
    double sum = 0;
    for (int i = 0; i < count; i++) {
      sum += samples[i];
    }
    return count == 0 ? Double.NaN : sum / count;
  }
}
