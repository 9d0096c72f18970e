package dev.llava.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.model.checkpoint.CheckpointLoader;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.config.VisionConfig;
import dev.llava.model.image.LlavaImageProcessor;
import dev.llava.model.nn.Devices;
import dev.llava.model.runtime.LlavaRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Pre-trains the CLIP tower of a fresh demo model before any LLaVA stage, standing in for the web-scale CLIP
 * pre-training that LLaVA takes for granted. LLaVA's recipe starts from a vision encoder that already sees objects;
 * a randomly initialised one trained only through the language loss collapses instead (the decoder lowers its loss
 * faster by ignoring the image, and the image features drift to a constant: measured cosine 1.000 between any two
 * image tokens). Here the tower learns to segment freshly drawn shapes scenes: a linear head on each selected
 * feature (the tokens the projector will see) classifies its patch as showing a (shape, colour) object or nothing,
 * and on the whole-image tile names where that object is ({@link PatchTargets}), on every AnyRes tile. The head is
 * thrown away; the checkpoint written is the whole model with the trained tower.
 *
 * <p>Per step: a batch of {@code imagesPerStep} new scenes (never repeated, so no over-fitting), mean cross-entropy
 * over all their patches, AdamW with cosine schedule and gradient clipping. Native memory is scoped per step.
 */
public final class VisionPretraining {
  /** Summary written next to the checkpoint. */
  public static final String REPORT_FILE = "vision_pretraining.json";

  /**
   * @param steps optimizer steps
   * @param imagesPerStep fresh scenes per step
   * @param learningRate AdamW peak rate (cosine, 5% warmup)
   * @param evalImages held-out scenes (another seed) for the patch accuracy reported at the end
   */
  public record Options(int steps, int imagesPerStep, double learningRate, int evalImages, long seed) {
    public Options {
      if (steps < 1 || imagesPerStep < 1 || evalImages < 1 || !(learningRate > 0)) {
        throw new IllegalArgumentException("vision pre-training needs steps, images per step and eval images >= 1"
            + " and a positive learning rate, got " + steps + ", " + imagesPerStep + ", " + evalImages + ", "
            + learningRate);
      }
    }

    /**
     * The demo recipe's setting: about 12 minutes on two CPU cores (measured 701 s). Shapes are learned late: held-out
     * object patches named with the right shape rise from 45% at 400 steps and 55% at 1200 to 88% at 3000, while
     * colour (~99%) and regions (~93%) are learned in the first few hundred.
     */
    public static Options demo(long seed) {
      return new Options(3000, 32, 6e-3, 256, seed);
    }
  }

  /**
   * Patch accuracy on held-out scenes.
   *
   * @param objectPatches patches showing an object
   * @param objectCorrect of those, classified as the right (shape, colour)
   * @param shapeCorrect of those, classified as an object of the right shape (any colour)
   * @param emptyPatches the other patches
   * @param emptyCorrect of those, classified as holding nothing
   * @param locatedPatches object patches of the whole-image tile
   * @param locatedCorrect of those, with the object's region right
   */
  public record Accuracy(long objectPatches, long objectCorrect, long shapeCorrect, long emptyPatches,
      long emptyCorrect, long locatedPatches, long locatedCorrect) {
    public double region() {
      return locatedPatches == 0 ? 0 : (double) locatedCorrect / locatedPatches;
    }

    public double object() {
      return objectPatches == 0 ? 0 : (double) objectCorrect / objectPatches;
    }

    public double shape() {
      return objectPatches == 0 ? 0 : (double) shapeCorrect / objectPatches;
    }

    public double empty() {
      return emptyPatches == 0 ? 0 : (double) emptyCorrect / emptyPatches;
    }
  }

  /** What a run did. */
  public record Result(Path checkpoint, int steps, double finalLoss, Accuracy accuracy, boolean cancelled) {}

  private static final double WARMUP_RATIO = 0.05;
  private static final double WEIGHT_DECAY = 0.01;
  private static final double GRAD_CLIP = 1.0;
  private static final double HEAD_STD = 0.02;
  // object patches are a minority (20% measured): weighted 8x, "nothing everywhere" is no easy optimum
  private static final float OBJECT_WEIGHT = 8f;
  // held-out scenes come from a different stream than the training ones
  private static final long EVAL_SEED_OFFSET = 0x5EED_0FF5E7L;

  private VisionPretraining() {}

  /** Trains {@code source}'s vision tower and writes the whole model to {@code out}. */
  public static Result run(Path source, Path out, Options options, TrainingListener listener,
      BooleanSupplier cancelled) throws IOException {
    LlavaConfig config = LlavaConfig.load(source);
    VisionConfig vision = config.visionConfig();
    LlavaImageProcessor processor = LlavaRuntime.imageProcessor(source, config);
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    try (NDManager root = NDManager.newBaseManager(Devices.preferred());
        LlavaWeights weights = CheckpointLoader.load(source, config, root, ModelPart.all());
        SceneExamples train = new SceneExamples(processor, vision.patchSize(), options.seed(), threads);
        SceneExamples held = new SceneExamples(processor, vision.patchSize(), options.seed() + EVAL_SEED_OFFSET,
            threads)) {
      VisionForward tower = new VisionForward(config, weights.vision());
      Head head = Head.create(root, vision.hiddenSize(), options.seed());
      List<TrainableParameters.Parameter> params = new ArrayList<>(
          TrainableParameters.of(weights).of(EnumSet.of(ModelPart.VISION)));
      params.addAll(head.parameters());
      params.forEach(p -> p.array().setRequiresGradient(true));
      listener.onLog(String.format("vision pre-training: %,d parameters (CLIP tower + %d-output patch head), %d steps"
          + " x %d fresh scenes, lr %.2g", TrainableParameters.count(params), Head.OUTPUTS, options.steps(),
          options.imagesPerStep(), options.learningRate()));
      CosineSchedule schedule = CosineSchedule.of(options.learningRate(), options.steps(), WARMUP_RATIO);
      Set<ModelPart> updated = EnumSet.of(ModelPart.VISION);
      double loss = Double.NaN;
      int step = 0;
      long t0 = System.nanoTime();
      try (AdamW optimizer = new AdamW(params, AdamW.DEFAULT_BETA1, AdamW.DEFAULT_BETA2, AdamW.DEFAULT_EPS,
          WEIGHT_DECAY, root)) {
        int n = options.imagesPerStep();
        CompletableFuture<List<SceneExamples.Example>> next = train.batch(0, n);
        while (step < options.steps() && !cancelled.getAsBoolean()) {
          List<SceneExamples.Example> batch = next.join();
          next = step + 1 < options.steps() ? train.batch((long) (step + 1) * n, n) : null;
          long stepStart = System.nanoTime();
          double[] lossAndNorm = step(tower, head, batch, optimizer, schedule.at(step), updated, root);
          step++;
          loss = lossAndNorm[0];
          double seconds = (System.nanoTime() - stepStart) / 1e9;
          listener.onStep(new TrainingProgress(step, options.steps(), loss, schedule.at(step - 1), n / seconds,
              lossAndNorm[1], (System.nanoTime() - t0) / 1_000_000));
        }
        if (next != null) next.cancel(true);
      } finally {
        params.forEach(p -> p.array().setRequiresGradient(false));
      }
      Accuracy accuracy = evaluate(tower, head, held.batch(0, options.evalImages()).join(), root);
      listener.onLog(String.format("vision pre-training: %d steps, loss %.3f; held-out patches: %.1f%% of object"
          + " patches (shape right: %.1f%%) and %.1f%% of empty patches classified right, %.1f%% of whole-image"
          + " object patches located", step, loss, 100 * accuracy.object(), 100 * accuracy.shape(),
          100 * accuracy.empty(), 100 * accuracy.region()));
      head.close();
      CheckpointWriter.write(weights, source, out);
      writeReport(out, options, step, loss, accuracy, (System.nanoTime() - t0) / 1_000_000);
      return new Result(out, step, loss, accuracy, step < options.steps());
    }
  }

  /** One optimizer step; returns {mean patch loss, gradient norm}. */
  private static double[] step(VisionForward tower, Head head, List<SceneExamples.Example> batch, AdamW optimizer,
      double lr, Set<ModelPart> updated, NDManager root) {
    LlavaTrainer.COLLECTOR.lock();
    try (NDManager scope = root.newSubManager()) {
      double loss;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray mean = head.loss(tower, batch, scope);
        collector.backward(mean);
        loss = mean.getFloat();
      }
      double norm = optimizer.step(lr, GRAD_CLIP, updated, scope);
      return new double[] {loss, norm};
    } finally {
      LlavaTrainer.COLLECTOR.unlock();
    }
  }

  /** Patch accuracy of the current tower + head on {@code examples} (no gradients). */
  static Accuracy evaluate(VisionForward tower, Head head, List<SceneExamples.Example> examples, NDManager root) {
    long objects = 0, objectsRight = 0, shapesRight = 0, empty = 0, emptyRight = 0, located = 0, locatedRight = 0;
    for (int from = 0; from < examples.size(); from += 32) {
      Batch b = Batch.of(examples.subList(from, Math.min(examples.size(), from + 32)));
      try (NDManager scope = root.newSubManager()) {
        NDArray logits = head.logits(tower, b, scope);
        long[] kind = Head.kinds(logits).argMax(-1).toLongArray();
        long[] region = Head.regions(logits).argMax(-1).toLongArray();
        for (int i = 0; i < b.kinds().length; i++) {
          boolean right = kind[i] == b.kinds()[i];
          if (b.kinds()[i] == PatchTargets.NONE) {
            empty++;
            if (right) emptyRight++;
          } else {
            objects++;
            if (right) objectsRight++;
            if (kind[i] != PatchTargets.NONE
                && PatchTargets.shapeOf((int) kind[i]) == PatchTargets.shapeOf(b.kinds()[i])) {
              shapesRight++;
            }
            if (b.regions()[i] > PatchTargets.NONE) {
              located++;
              if (region[i] == b.regions()[i]) locatedRight++;
            }
          }
        }
      }
    }
    return new Accuracy(objects, objectsRight, shapesRight, empty, emptyRight, located, locatedRight);
  }

  /** A batch's tiles stacked: pixels [T, 3, S, S] and the targets of its T * g * g patches. */
  record Batch(float[] pixels, int tiles, int size, int[] kinds, int[] regions) {
    static Batch of(List<SceneExamples.Example> examples) {
      int tiles = examples.stream().mapToInt(e -> e.pixels().tiles()).sum();
      int tileLength = examples.get(0).pixels().tileLength();
      float[] pixels = new float[tiles * tileLength];
      int patches = examples.stream().mapToInt(e -> e.targets().kinds().length).sum();
      int[] kinds = new int[patches];
      int[] regions = new int[patches];
      int p = 0, t = 0;
      for (SceneExamples.Example e : examples) {
        System.arraycopy(e.pixels().data(), 0, pixels, p, e.pixels().data().length);
        int n = e.targets().kinds().length;
        System.arraycopy(e.targets().kinds(), 0, kinds, t, n);
        System.arraycopy(e.targets().regions(), 0, regions, t, n);
        p += e.pixels().data().length;
        t += n;
      }
      return new Batch(pixels, tiles, examples.get(0).pixels().height(), kinds, regions);
    }
  }

  /**
   * The throw-away linear patch classifier: features [T, P, Hv] -> logits [T, P, CLASSES + REGIONS], the first
   * CLASSES for what the patch shows, the rest for where that object is in the image.
   */
  record Head(NDArray weight, NDArray bias) implements AutoCloseable {
    static final int OUTPUTS = PatchTargets.CLASSES + PatchTargets.REGIONS;

    static Head create(NDManager root, int hidden, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      float[] w = new float[OUTPUTS * hidden];
      for (int i = 0; i < w.length; i++) w[i] = (float) (random.nextGaussian() * HEAD_STD);
      return new Head(HostArrays.floats(root, w, new Shape(OUTPUTS, hidden)), root.zeros(new Shape(OUTPUTS)));
    }

    List<TrainableParameters.Parameter> parameters() {
      // part VISION: the head trains and is updated with the tower
      return List.of(new TrainableParameters.Parameter("patch_head.weight", weight, ModelPart.VISION, true),
          new TrainableParameters.Parameter("patch_head.bias", bias, ModelPart.VISION, false));
    }

    /** logits [T * P, OUTPUTS] in scope. */
    NDArray logits(VisionForward tower, Batch b, NDManager scope) {
      NDArray pixels = HostArrays.floats(scope, b.pixels(), new Shape(b.tiles(), 3, b.size(), b.size()));
      return Activations.linear(tower.forward(pixels), weight, bias).reshape(-1, OUTPUTS);
    }

    /** The (shape, colour) logits [N, CLASSES] of logits [N, OUTPUTS]. */
    static NDArray kinds(NDArray logits) {
      return logits.get(new NDIndex().addAllDim().addSliceDim(0, PatchTargets.CLASSES));
    }

    /** The region logits [N, REGIONS] of logits [N, OUTPUTS]. */
    static NDArray regions(NDArray logits) {
      return logits.get(new NDIndex().addAllDim().addSliceDim(PatchTargets.CLASSES, OUTPUTS));
    }

    /** Weighted mean cross-entropy of both targets over the batch's patches, in scope. */
    NDArray loss(VisionForward tower, List<SceneExamples.Example> examples, NDManager scope) {
      Batch b = Batch.of(examples);
      NDArray logits = logits(tower, b, scope);
      return crossEntropy(kinds(logits), b.kinds(), scope).add(crossEntropy(regions(logits), b.regions(), scope));
    }

    // object patches are a minority: weight them up so "nothing everywhere" is no easy optimum;
    // IGNORED targets weigh nothing
    private static NDArray crossEntropy(NDArray logits, int[] targets, NDManager scope) {
      long[] index = new long[targets.length];
      float[] weights = new float[targets.length];
      double total = 0;
      for (int i = 0; i < targets.length; i++) {
        index[i] = Math.max(0, targets[i]);
        weights[i] = targets[i] == PatchTargets.IGNORED ? 0f : targets[i] == PatchTargets.NONE ? 1f : OBJECT_WEIGHT;
        total += weights[i];
      }
      NDArray picked = logits.logSoftmax(-1).gather(HostArrays.longs(scope, index, new Shape(index.length, 1)), 1);
      NDArray w = HostArrays.floats(scope, weights, new Shape(index.length, 1));
      return picked.mul(w).sum().mul(Activations.scalar(picked, (float) (-1 / Math.max(1e-9, total))));
    }

    @Override
    public void close() {
      weight.close();
      bias.close();
    }
  }

  private static void writeReport(Path out, Options o, int steps, double loss, Accuracy a, long millis)
      throws IOException {
    ObjectNode r = HfSideFiles.JSON.createObjectNode();
    r.put("steps", steps);
    r.put("planned_steps", o.steps());
    r.put("images_per_step", o.imagesPerStep());
    r.put("learning_rate", o.learningRate());
    r.put("seed", o.seed());
    r.put("final_loss", loss);
    r.put("elapsed_seconds", millis / 1000.0);
    ObjectNode acc = r.putObject("held_out_patch_accuracy");
    acc.put("images", o.evalImages());
    acc.put("object_patches", a.object());
    acc.put("object_shapes", a.shape());
    acc.put("empty_patches", a.empty());
    acc.put("object_regions", a.region());
    Files.createDirectories(out);
    HfSideFiles.write(r, out.resolve(REPORT_FILE));
  }
}
