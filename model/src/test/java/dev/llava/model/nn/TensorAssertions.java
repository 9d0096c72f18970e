package dev.llava.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Max-abs-difference assertions that report where the worst element is. */
final class TensorAssertions {
  private TensorAssertions() {}

  static double maxAbsDiff(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, "element count");
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs((double) expected[i] - actual[i]);
      if (Double.isNaN(d)) return Double.NaN;
      worst = Math.max(worst, d);
    }
    return worst;
  }

  static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
    assertEquals(expected.length, actual.length, what + ": element count");
    int worstAt = -1;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs((double) expected[i] - actual[i]);
      if (Double.isNaN(d) || d > worst) {
        worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
        worstAt = i;
      }
    }
    double shown = worst;
    int at = worstAt;
    System.out.printf("%s: max |diff| %.3g (tolerance %.1g)%n", what, worst, tolerance);
    assertTrue(worst <= tolerance, () -> what + ": max |diff| " + shown + " > " + tolerance + " at flat index " + at
        + " (expected " + expected[at] + ", got " + actual[at] + ")");
  }
}
