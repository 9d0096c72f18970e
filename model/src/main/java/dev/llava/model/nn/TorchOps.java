package dev.llava.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The few PyTorch-engine calls the decode loop makes per sequence per layer, issued straight to
 * {@code JniUtils}: one JNI call each instead of DJL's generic indexer (which parses an NDIndex,
 * reshapes and broadcasts first). Everything here needs DJL's PyTorch engine.
 */
final class TorchOps {
  private TorchOps() {}

  /** View {@code a[..., from:to, ...]} along {@code axis}, attached to {@code into}. */
  static NDArray slice(NDArray a, int axis, long from, long to, NDManager into) {
    PtNDArray view = JniUtils.slice((PtNDArray) a, axis, from, to, 1);
    if (into != a.getManager()) view.attach(into);
    return view;
  }

  /** View {@code a[index]} (first axis removed), created in {@code into}. */
  static NDArray select(NDArray a, long index, NDManager into) {
    return JniUtils.getItem((PtNDArray) a, new long[] {index}, (PtNDManager) into);
  }

  /**
   * In-place {@code target[:, ..., from:from+n, ...] = value} along {@code axis}, where
   * {@code value} has exactly the shape of that region.
   */
  static void copyInto(NDArray target, int axis, long from, NDArray value) {
    long[] min = new long[axis + 1];
    long[] max = new long[axis + 1];
    long[] step = new long[axis + 1];
    for (int i = 0; i < axis; i++) max[i] = target.getShape().get(i);
    min[axis] = from;
    max[axis] = from + value.getShape().get(axis);
    java.util.Arrays.fill(step, 1);
    JniUtils.indexSet((PtNDArray) target, (PtNDArray) value, min, max, step);
  }

  /** {@code W @ b} with the weight as left operand, result attached to {@code into}. */
  static NDArray weightTimes(NDArray weight, NDArray b, NDManager into) {
    PtNDArray out = JniUtils.matmul((PtNDArray) weight, (PtNDArray) b);
    out.attach(into);
    return out;
  }
}
