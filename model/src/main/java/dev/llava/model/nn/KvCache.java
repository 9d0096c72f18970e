package dev.llava.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.llava.model.config.TextConfig;

/**
 * Keys and values of one sequence for every decoder layer, preallocated and grown by doubling
 * (amortised O(1) per token, no per-step concatenation). Keys are stored transposed so attention
 * multiplies {@code q [kv, g, d] @ kT [kv, d, len]} on a view, with no transpose per step.
 *
 * <p>Not thread-safe: one sequence is advanced by one thread at a time. {@link #close()} frees the
 * native memory at once.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final int kvHeads;
  private final int headDim;
  private final NDArray[] keysT; // per layer [kvHeads, headDim, capacity]
  private final NDArray[] values; // per layer [kvHeads, capacity, headDim]
  private int capacity;
  private int length;

  public KvCache(TextConfig config, NDManager parent, int initialCapacity) {
    this.manager = parent.newSubManager();
    this.kvHeads = config.numKeyValueHeads();
    this.headDim = config.headDim();
    this.keysT = new NDArray[config.numHiddenLayers()];
    this.values = new NDArray[config.numHiddenLayers()];
    this.capacity = Math.max(1, initialCapacity);
    for (int l = 0; l < keysT.length; l++) {
      keysT[l] = manager.zeros(new Shape(kvHeads, headDim, capacity));
      values[l] = manager.zeros(new Shape(kvHeads, capacity, headDim));
    }
  }

  /** Tokens already in the cache; the next token gets this position. */
  public int length() {
    return length;
  }

  public int capacity() {
    return capacity;
  }

  public int layers() {
    return keysT.length;
  }

  /** Forgets everything from {@code newLength} on (e.g. to re-run a suffix). */
  public void truncate(int newLength) {
    if (newLength < 0 || newLength > length) {
      throw new IllegalArgumentException("cannot truncate a cache of " + length + " tokens to " + newLength);
    }
    length = newLength;
  }

  /** Makes room for {@code extra} more tokens, doubling the buffers and copying the filled prefix. */
  public void reserve(int extra) {
    int needed = length + extra;
    if (needed <= capacity) return;
    int newCapacity = Math.max(needed, capacity * 2);
    for (int l = 0; l < keysT.length; l++) {
      NDArray k = manager.zeros(new Shape(kvHeads, headDim, newCapacity));
      NDArray v = manager.zeros(new Shape(kvHeads, newCapacity, headDim));
      if (length > 0) {
        try (NDArray oldK = keysT[l].get(keySlice(0, length)); NDArray oldV = values[l].get(valueSlice(0, length))) {
          k.set(keySlice(0, length), oldK);
          v.set(valueSlice(0, length), oldV);
        }
      }
      keysT[l].close();
      values[l].close();
      keysT[l] = k;
      values[l] = v;
    }
    capacity = newCapacity;
  }

  /** Writes {@code n} new tokens at [length, length + n): kT [kv, d, n], v [kv, n, d]. */
  void write(int layer, NDArray kT, NDArray v) {
    int n = (int) v.getShape().get(1);
    if (length + n > capacity) {
      throw new IllegalStateException("KV cache holds " + capacity + " tokens, writing " + n + " at " + length
          + " (call reserve first)");
    }
    TorchOps.copyInto(keysT[layer], 2, length, kT);
    TorchOps.copyInto(values[layer], 1, length, v);
  }

  /** View of keys for positions [from, to) as [kv, d, to - from], attached to {@code into}. */
  NDArray keysT(int layer, int from, int to, NDManager into) {
    return TorchOps.slice(keysT[layer], 2, from, to, into);
  }

  /** View of values for positions [from, to) as [kv, to - from, d], attached to {@code into}. */
  NDArray values(int layer, int from, int to, NDManager into) {
    return TorchOps.slice(values[layer], 1, from, to, into);
  }

  /** Commits {@code n} tokens written to every layer. */
  void advance(int n) {
    length += n;
  }

  private static NDIndex keySlice(long from, long to) {
    return new NDIndex().addAllDim(2).addSliceDim(from, to);
  }

  private static NDIndex valueSlice(long from, long to) {
    return new NDIndex().addAllDim().addSliceDim(from, to);
  }

  @Override
  public void close() {
    manager.close();
  }
}
