package dev.llava.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.llava.model.config.RopeScaling;
import dev.llava.model.config.TextConfig;

/**
 * RoPE as HF's LlamaRotaryEmbedding ("default" type): {@code inv_freq = 1/theta^(2i/d)} in float32,
 * angles {@code pos * inv_freq}, tables {@code cos/sin(cat(freqs, freqs))}, applied with
 * {@code rotate_half} (dimension i pairs with i + d/2).
 *
 * <p>{@code x*cos + rotate_half(x)*sin} is computed as {@code x*cos + cat(x2, x1) * (-sin1 | sin2)}:
 * the sign of rotate_half is folded into the stored sine table, which is exact. Tables grow on
 * demand; all methods are thread-safe.
 */
public final class RotaryEmbedding implements AutoCloseable {
  private static final int MIN_CAPACITY = 256;

  private final int headDim;
  private final NDManager manager;
  private final NDArray invFreq; // [d/2]
  private NDArray cos; // [capacity, d]
  private NDArray sinSigned; // [capacity, d]: (-sin | sin)
  private int capacity;

  public RotaryEmbedding(TextConfig config, NDManager parent) {
    this.headDim = config.headDim();
    this.manager = parent.newSubManager();
    this.invFreq = inverseFrequencies(config, manager);
    grow(Math.min(config.maxPositionEmbeddings(), 4096));
  }

  private static NDArray inverseFrequencies(TextConfig config, NDManager m) {
    int half = config.headDim() / 2;
    // theta ** (arange(0, d, 2) / d), in float32 as HF does.
    NDArray exponents = m.arange(0, config.headDim(), 2, DataType.INT64).toType(DataType.FLOAT32, false)
        .divi((float) config.headDim());
    NDArray inv = m.full(new Shape(half), (float) config.ropeTheta()).pow(exponents).getNDArrayInternal().rdiv(1f);
    RopeScaling scaling = config.ropeScaling();
    if (scaling == null) return inv;
    float[] f = inv.toFloatArray();
    switch (scaling.type()) {
      case "linear" -> { for (int i = 0; i < half; i++) f[i] = (float) (f[i] / scaling.factor()); }
      case "llama3" -> {
        double lowWavelen = scaling.originalMaxPositionEmbeddings() / scaling.lowFreqFactor();
        double highWavelen = scaling.originalMaxPositionEmbeddings() / scaling.highFreqFactor();
        for (int i = 0; i < half; i++) {
          double wavelen = 2 * Math.PI / f[i];
          if (wavelen > lowWavelen) {
            f[i] = (float) (f[i] / scaling.factor());
          } else if (wavelen >= highWavelen) {
            double smooth = (scaling.originalMaxPositionEmbeddings() / wavelen - scaling.lowFreqFactor())
                / (scaling.highFreqFactor() - scaling.lowFreqFactor());
            f[i] = (float) ((1 - smooth) * f[i] / scaling.factor() + smooth * f[i]);
          }
        }
      }
      default -> throw new IllegalStateException("unhandled rope_scaling " + scaling.type());
    }
    return m.create(f);
  }

  private void grow(int positions) {
    int newCapacity = Math.max(MIN_CAPACITY, Math.max(positions, capacity * 2));
    NDArray pos = manager.arange(0, newCapacity, 1, DataType.INT64).toType(DataType.FLOAT32, false);
    NDArray freqs = pos.reshape(newCapacity, 1).mul(invFreq.reshape(1, headDim / 2)); // [N, d/2]
    NDArray c = freqs.cos();
    NDArray s = freqs.sin();
    NDArray newCos = NDArrays.concat(new NDList(c, c), 1);
    NDArray newSin = NDArrays.concat(new NDList(s.neg(), s), 1);
    if (cos != null) {
      cos.close();
      sinSigned.close();
    }
    cos = newCos;
    sinSigned = newSin;
    capacity = newCapacity;
  }

  /** cos and signed sin rows for positions [from, from + n), as [n, 1, d] arrays in {@code into}. */
  public synchronized NDList range(int from, int n, NDManager into) {
    if (from + n > capacity) grow(from + n);
    NDIndex rows = new NDIndex().addSliceDim(from, from + n);
    NDArray c = cos.get(rows);
    NDArray s = sinSigned.get(rows);
    c.attach(into);
    s.attach(into);
    return new NDList(c.reshape(n, 1, headDim), s.reshape(n, 1, headDim));
  }

  /** cos and signed sin rows for arbitrary positions, as [B, 1, d] arrays in {@code into}. */
  public synchronized NDList gather(long[] positions, NDManager into) {
    long max = 0;
    for (long p : positions) max = Math.max(max, p);
    if (max >= capacity) grow(Math.toIntExact(max + 1));
    NDArray index = into.create(positions);
    NDArray c = index.getNDArrayInternal().embedding(index, cos, SparseFormat.DENSE).singletonOrThrow();
    NDArray s = index.getNDArrayInternal().embedding(index, sinSigned, SparseFormat.DENSE).singletonOrThrow();
    return new NDList(c.reshape(positions.length, 1, headDim), s.reshape(positions.length, 1, headDim));
  }

  /** x: [n, heads, d], cos/sinSigned: [n, 1, d] -> rotated copy [n, heads, d] in x's manager. */
  public static NDArray apply(NDArray x, NDArray cos, NDArray sinSigned) {
    long d = x.getShape().get(2);
    NDArray x1 = x.get(new NDIndex().addAllDim(2).addSliceDim(0, d / 2));
    NDArray x2 = x.get(new NDIndex().addAllDim(2).addSliceDim(d / 2, d));
    NDArray swapped = NDArrays.concat(new NDList(x2, x1), 2); // rotate_half without the sign
    return x.mul(cos).addi(swapped.muli(sinSigned));
  }

  @Override
  public synchronized void close() {
    manager.close();
  }
}
