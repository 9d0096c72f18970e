package dev.llava.engine.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class Float16Test {
  @Test
  void everyHalfRoundTripsThroughFloat() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Float16.toFloat((short) h);
      if (Float.isNaN(f)) {
        continue;
      }
      assertEquals(h, Float16.fromFloat(f) & 0xffff, "half 0x" + Integer.toHexString(h));
    }
  }

  @Test
  void knownValuesAndRounding() {
    assertEquals(0x3c00, Float16.fromFloat(1f) & 0xffff);
    assertEquals(0x7bff, Float16.fromFloat(65504f) & 0xffff);
    assertEquals(0x7c00, Float16.fromFloat(65520f) & 0xffff); // rounds up to inf
    assertEquals(0x0001, Float16.fromFloat(0x1.0p-24f) & 0xffff); // smallest subnormal
    assertEquals(0x3c00, Float16.fromFloat(1f + 0x1.0p-11f) & 0xffff); // halfway, ties to even (down)
    assertEquals(0x3c02, Float16.fromFloat(1f + 3 * 0x1.0p-11f) & 0xffff); // halfway, ties to even (up)
    assertEquals(-2.5f, Float16.toFloat(Float16.fromFloat(-2.5f)));
  }
}
