package dev.llava.model.io;

import java.util.Arrays;

/**
 * The safetensors element types this project reads. Floating types are always widened to float32
 * before DJL sees them (a BF16 NDArray aborts the JVM in DJL 0.35.1), so the half formats are
 * converted here, bit by bit, in Java.
 */
public enum SafetensorsDtype {
  F32(4),
  F16(2),
  BF16(2),
  I64(8);

  private final int bytes;

  SafetensorsDtype(int bytes) {
    this.bytes = bytes;
  }

  public int bytes() {
    return bytes;
  }

  public boolean isFloat() {
    return this != I64;
  }

  /** Parses a header dtype string; {@code where} names the file and key for the error. */
  public static SafetensorsDtype parse(String name, String where) {
    for (SafetensorsDtype d : values()) {
      if (d.name().equals(name)) return d;
    }
    throw new IllegalArgumentException(where + ": unsupported safetensors dtype '" + name
        + "' (supported: " + Arrays.toString(values()) + ")");
  }

  /** bfloat16 is the upper half of a float32: widening is a shift, exact. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** float32 -> bfloat16 with round-to-nearest-even (what torch's {@code .to(bfloat16)} does). */
  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x0040); // keep it a quiet NaN
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  /** IEEE half -> float32, exact for every half value (normals, subnormals, inf, NaN). */
  public static float f16ToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    if (exp != 0) return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    if (mant == 0) return Float.intBitsToFloat(sign);
    // Subnormal half: value = mant * 2^-24, exactly representable as a normal float.
    float magnitude = mant * 0x1p-24f;
    return sign != 0 ? -magnitude : magnitude;
  }

  /** float32 -> IEEE half with round-to-nearest-even; overflow goes to infinity like torch. */
  public static short floatToF16(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
    int e = exp - 127 + 15;
    if (e >= 0x1f) return (short) (sign | 0x7c00);
    if (e <= 0) {
      if (e < -10) return (short) sign; // below half the smallest subnormal: rounds to zero
      // Subnormal result: shift the full 24-bit significand down and round to nearest even.
      int significand = mant | 0x800000;
      int shift = 14 - e;
      int result = significand >>> shift;
      int remainder = significand & ((1 << shift) - 1);
      int halfway = 1 << (shift - 1);
      if (remainder > halfway || (remainder == halfway && (result & 1) != 0)) result++;
      return (short) (sign | result);
    }
    int result = (e << 10) | (mant >>> 13);
    int remainder = mant & 0x1fff;
    if (remainder > 0x1000 || (remainder == 0x1000 && (result & 1) != 0)) result++; // may carry into exp: still correct
    return (short) (sign | result);
  }
}
