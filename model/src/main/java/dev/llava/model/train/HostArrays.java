package dev.llava.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies Java arrays into tensors that PyTorch owns. DJL's {@code NDManager.create(float[])} allocates a fresh
 * direct ByteBuffer per call and lets the tensor point into it; closing the array only drops the reference, and
 * the memory comes back when the garbage collector runs, which in a training loop (little Java garbage, many
 * batches) can be never: resident memory grows by every batch's pixels. Here the bytes go through one reused
 * per-thread staging buffer and are cloned into PyTorch-allocated memory, so closing a step's scope frees them.
 */
final class HostArrays {
  private static final ThreadLocal<ByteBuffer> STAGING = new ThreadLocal<>();

  private HostArrays() {}

  static NDArray floats(NDManager m, float[] values, Shape shape) {
    ByteBuffer b = staging(values.length * 4L);
    b.asFloatBuffer().put(values);
    return copy(m, b, shape, DataType.FLOAT32);
  }

  static NDArray longs(NDManager m, long[] values, Shape shape) {
    ByteBuffer b = staging(values.length * 8L);
    b.asLongBuffer().put(values);
    return copy(m, b, shape, DataType.INT64);
  }

  static NDArray longs(NDManager m, long[] values) {
    return longs(m, values, new Shape(values.length));
  }

  private static NDArray copy(NDManager m, ByteBuffer staged, Shape shape, DataType type) {
    try (NDArray view = m.create(staged, shape, type)) {
      return view.duplicate(); // a PyTorch-owned clone; the staging buffer is free for the next call
    }
  }

  private static ByteBuffer staging(long bytes) {
    ByteBuffer b = STAGING.get();
    if (b == null || b.capacity() < bytes) {
      b = ByteBuffer.allocateDirect((int) Math.max(bytes, 1 << 20)).order(ByteOrder.nativeOrder());
      STAGING.set(b);
    }
    b.clear();
    b.limit((int) bytes);
    return b;
  }
}
