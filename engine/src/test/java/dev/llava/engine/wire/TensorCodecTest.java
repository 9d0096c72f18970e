package dev.llava.engine.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.Tensor;
import org.junit.jupiter.api.Test;

class TensorCodecTest {
  private static final float[] VALUES = {0f, 1f, -2.5f, 3.140625f, 65504f, 1e-3f};

  @Test
  void float32RoundTripsExactlyLittleEndian() {
    Tensor t = TensorCodec.encode(VALUES, DType.FLOAT32, 2, 3);
    assertEquals(24, t.getData().size());
    assertEquals(0x3f, t.getData().byteAt(7) & 0xff); // 1.0f = 0x3f800000, high byte last
    assertArrayEquals(VALUES, TensorCodec.decode(t));
  }

  @Test
  void float16IsTheDefaultAndKeepsThreeSignificantDigits() {
    Tensor t = TensorCodec.encode(VALUES, DType.DTYPE_UNSPECIFIED, 6);
    assertEquals(DType.FLOAT16, t.getDtype());
    assertEquals(12, t.getData().size());
    float[] back = TensorCodec.decode(t);
    for (int i = 0; i < VALUES.length; i++) {
      assertEquals(VALUES[i], back[i], Math.abs(VALUES[i]) * 1e-3 + 1e-7);
    }
  }

  @Test
  void bfloat16RoundsToNearestEven() {
    float[] back = TensorCodec.decode(TensorCodec.encode(new float[] {1.00390625f, 3.140625f}, DType.BFLOAT16, 2));
    assertEquals(1.0f, back[0]); // exactly halfway: ties to even
    assertEquals(3.140625f, back[1]);
  }

  @Test
  void mismatchedByteLengthNamesBothNumbers() {
    Tensor t = TensorCodec.encode(VALUES, DType.FLOAT32, 6).toBuilder().clearShape().addShape(7).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TensorCodec.decode(t));
    assertTrue(e.getMessage().contains("needs 28 bytes, got 24"), e.getMessage());
  }
}
