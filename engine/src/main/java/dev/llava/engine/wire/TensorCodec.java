package dev.llava.engine.wire;

import com.google.protobuf.ByteString;
import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * float32 arrays to and from the wire {@link Tensor} (little-endian, row-major) in FLOAT32, FLOAT16 or BFLOAT16.
 * FLOAT16 halves the bytes of CLIP features between vision-encoder and projector-lm.
 */
public final class TensorCodec {
  private TensorCodec() {}

  public static Tensor encode(float[] values, DType dtype, long... shape) {
    long expected = 1;
    for (long d : shape) {
      expected *= d;
    }
    if (expected != values.length) {
      throw new IllegalArgumentException("tensor shape " + java.util.Arrays.toString(shape) + " holds "
          + expected + " values, got " + values.length);
    }
    DType type = dtype == DType.DTYPE_UNSPECIFIED ? DType.FLOAT16 : dtype;
    ByteBuffer buf = ByteBuffer.allocate(values.length * width(type)).order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case FLOAT32 -> buf.asFloatBuffer().put(values);
      case FLOAT16 -> { for (float v : values) buf.putShort(Float16.fromFloat(v)); }
      case BFLOAT16 -> { for (float v : values) buf.putShort(toBfloat16(v)); }
      default -> throw new IllegalArgumentException("unsupported tensor dtype " + type);
    }
    Tensor.Builder t = Tensor.newBuilder().setDtype(type).setData(ByteString.copyFrom(buf.array()));
    for (long d : shape) {
      t.addShape(d);
    }
    return t.build();
  }

  /** Decodes to float32, checking that the byte length matches shape and dtype. */
  public static float[] decode(Tensor tensor) {
    DType type = tensor.getDtype();
    if (type != DType.FLOAT32 && type != DType.FLOAT16 && type != DType.BFLOAT16) {
      throw new IllegalArgumentException("tensor dtype must be FLOAT32, FLOAT16 or BFLOAT16, got " + type);
    }
    long count = 1;
    for (long d : tensor.getShapeList()) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor shape " + tensor.getShapeList() + " has a negative dimension");
      }
      count *= d;
    }
    long expectedBytes = count * width(type);
    if (expectedBytes != tensor.getData().size()) {
      throw new IllegalArgumentException("tensor of shape " + tensor.getShapeList() + " and dtype " + type
          + " needs " + expectedBytes + " bytes, got " + tensor.getData().size());
    }
    float[] out = new float[Math.toIntExact(count)];
    ByteBuffer buf = tensor.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case FLOAT32 -> buf.asFloatBuffer().get(out);
      case FLOAT16 -> { for (int i = 0; i < out.length; i++) out[i] = Float16.toFloat(buf.getShort()); }
      default -> { for (int i = 0; i < out.length; i++) out[i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16); }
    }
    return out;
  }

  public static int width(DType type) {
    return type == DType.FLOAT32 ? 4 : 2;
  }

  /** Round-to-nearest-even truncation of a float32 to its upper 16 bits (NaN stays NaN). */
  static short toBfloat16(float v) {
    int bits = Float.floatToRawIntBits(v);
    if (Float.isNaN(v)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }
}
