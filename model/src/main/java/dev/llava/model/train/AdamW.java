package dev.llava.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.llava.model.io.SafetensorsDtype;
import dev.llava.model.io.SafetensorsReader;
import dev.llava.model.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * torch.optim.AdamW over the trainable parameters, with global-norm gradient clipping in front (HF Trainer's
 * {@code max_grad_norm}). Decoupled weight decay {@code p *= 1 - lr * wd} only on parameters with
 * {@link TrainableParameters.Parameter#decay()}. Each parameter keeps its own step count, and a parameter that
 * got no gradient in a step (e.g. the vision tower during a text-only batch) is skipped, as torch does for
 * parameters whose {@code grad} is None.
 *
 * <p>State ({@code exp_avg}, {@code exp_avg_sq} per parameter) lives in this optimizer's own manager and is saved
 * to and restored from a safetensors file for resuming ({@code <name>.exp_avg}, {@code <name>.exp_avg_sq},
 * {@code <name>.step}).
 */
public final class AdamW implements AutoCloseable {
  public static final double DEFAULT_BETA1 = 0.9;
  public static final double DEFAULT_BETA2 = 0.999;
  public static final double DEFAULT_EPS = 1e-8;

  private final List<TrainableParameters.Parameter> params;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final NDManager manager;
  private final NDArray[] expAvg;
  private final NDArray[] expAvgSq;
  private final int[] steps;

  public AdamW(List<TrainableParameters.Parameter> params, double beta1, double beta2, double eps,
      double weightDecay, NDManager parent) {
    this.params = List.copyOf(params);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.manager = parent.newSubManager();
    this.expAvg = new NDArray[params.size()];
    this.expAvgSq = new NDArray[params.size()];
    this.steps = new int[params.size()];
    for (int i = 0; i < params.size(); i++) {
      expAvg[i] = manager.zeros(params.get(i).array().getShape());
      expAvgSq[i] = manager.zeros(params.get(i).array().getShape());
    }
  }

  public List<TrainableParameters.Parameter> parameters() {
    return params;
  }

  /**
   * Clips the accumulated gradients of the parameters in {@code updated} parts to {@code maxNorm} (0: no
   * clipping), applies one AdamW update with learning rate {@code lr} to them, and zeroes every gradient.
   * Call with grad mode off (outside the gradient collector). Temporaries live in {@code scope}.
   *
   * @return the global gradient norm before clipping
   */
  public double step(double lr, double maxNorm, Set<dev.llava.model.checkpoint.ModelPart> updated, NDManager scope) {
    NDArray[] grads = new NDArray[params.size()];
    NDList squares = new NDList();
    for (int i = 0; i < params.size(); i++) {
      if (!updated.contains(params.get(i).part())) continue;
      grads[i] = params.get(i).array().getGradient();
      grads[i].attach(scope);
      squares.add(grads[i].square().sum());
    }
    double norm = squares.isEmpty() ? 0 : Math.sqrt(NDArrays.stack(squares).sum().getFloat());
    if (!Double.isFinite(norm)) {
      List<String> bad = new java.util.ArrayList<>();
      for (int i = 0, k = 0; i < params.size(); i++) {
        if (grads[i] != null && !Float.isFinite(squares.get(k++).getFloat())) bad.add(params.get(i).name());
      }
      for (TrainableParameters.Parameter p : params) zeroGradient(p.array());
      throw new IllegalStateException("gradient norm is " + norm + " (non-finite gradients of " + bad
          + "); the loss diverged or the input is broken");
    }
    // torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1
    float clip = maxNorm > 0 && norm > maxNorm ? (float) (maxNorm / (norm + 1e-6)) : 1f;
    for (int i = 0; i < params.size(); i++) {
      if (grads[i] != null) update(i, clip == 1f ? grads[i] : grads[i].mul(clip), lr, scope);
    }
    for (TrainableParameters.Parameter p : params) zeroGradient(p.array());
    return norm;
  }

  private void update(int i, NDArray grad, double lr, NDManager scope) {
    NDArray p = params.get(i).array();
    int t = ++steps[i];
    try (NDManager s = scope.newSubManager()) {
      p.tempAttach(s);
      expAvg[i].tempAttach(s);
      expAvgSq[i].tempAttach(s);
      expAvg[i].muli((float) beta1).addi(grad.mul((float) (1 - beta1)));
      expAvgSq[i].muli((float) beta2).addi(grad.square().mul((float) (1 - beta2)));
      if (params.get(i).decay() && weightDecay > 0) p.muli((float) (1 - lr * weightDecay));
      double biasCorrection1 = 1 - Math.pow(beta1, t);
      double biasCorrection2 = 1 - Math.pow(beta2, t);
      NDArray denom = expAvgSq[i].sqrt().div((float) Math.sqrt(biasCorrection2)).add((float) eps);
      p.subi(expAvg[i].div(denom).mul((float) (lr / biasCorrection1)));
    }
  }

  /** Sets the accumulated gradient of a parameter back to zeros (it stays allocated for the next step). */
  static void zeroGradient(NDArray array) {
    JniUtils.zeroGrad((PtNDArray) array);
  }

  /** Writes {@code <name>.exp_avg} / {@code <name>.exp_avg_sq} tensors and the per-parameter steps. */
  public void save(Path file) throws IOException {
    SafetensorsWriter w = new SafetensorsWriter();
    for (int i = 0; i < params.size(); i++) {
      String name = params.get(i).name();
      w.add(name + ".exp_avg", expAvg[i], SafetensorsDtype.F32);
      w.add(name + ".exp_avg_sq", expAvgSq[i], SafetensorsDtype.F32);
      w.addLongs(name + ".step", new long[] {steps[i]}, new long[] {1});
    }
    w.putMetadata("optimizer", "adamw");
    w.putMetadata("betas", beta1 + "," + beta2);
    w.putMetadata("eps", Double.toString(eps));
    w.write(file);
  }

  /** Restores state written by {@link #save}; every trainable parameter must be present with its shape. */
  public void load(Path file) throws IOException {
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      for (int i = 0; i < params.size(); i++) {
        String name = params.get(i).name();
        for (String suffix : new String[] {".exp_avg", ".exp_avg_sq", ".step"}) {
          if (!r.contains(name + suffix)) {
            throw new IllegalArgumentException(file + ": no optimizer state '" + name + suffix + "' (the checkpoint"
                + " was trained with other trainable parts, or is not from this trainer)");
          }
          long[] shape = r.info(name + suffix).shape();
          if (!suffix.equals(".step") && !Arrays.equals(shape, params.get(i).array().getShape().getShape())) {
            throw new IllegalArgumentException(file + ": optimizer state '" + name + suffix + "' has shape "
                + Arrays.toString(shape) + ", parameter has " + params.get(i).array().getShape());
          }
        }
        NDArray m = r.load(name + ".exp_avg", manager);
        NDArray v = r.load(name + ".exp_avg_sq", manager);
        expAvg[i].close();
        expAvgSq[i].close();
        expAvg[i] = m;
        expAvgSq[i] = v;
        steps[i] = (int) r.readLongs(name + ".step")[0];
      }
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
