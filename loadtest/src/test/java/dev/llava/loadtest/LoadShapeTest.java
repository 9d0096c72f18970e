package dev.llava.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoadShapeTest {

  @Test
  void poissonArrivalsHaveTheRequestedMeanRate() {
    PoissonArrivals arrivals = new PoissonArrivals(50, 7);
    long last = 0;
    for (int i = 0; i < 20_000; i++) {
      long t = arrivals.nextArrivalNanos();
      assertTrue(t >= last, "arrivals are monotonic");
      last = t;
    }
    double achievedRate = 20_000 / (last / 1e9);
    assertEquals(50, achievedRate, 1.5);
  }

  @Test
  void rejectsANonPositiveRate() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PoissonArrivals(0, 1));
    assertTrue(e.getMessage().contains("got 0.0"));
  }

  @Test
  void percentilesUseNearestRank() {
    LatencyRecorder r = new LatencyRecorder();
    for (int i = 100; i >= 1; i--) {
      r.record(i);
    }
    assertEquals(50, r.percentile(50));
    assertEquals(99, r.percentile(99));
    assertEquals(100, r.percentile(100));
    assertEquals(1, r.percentile(0.5));
    assertEquals(50.5, r.mean(), 1e-9);
  }
}
