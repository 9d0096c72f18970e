package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.llava.model.Fixtures;
import dev.llava.model.checkpoint.CheckpointLoader;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.image.PixelValues;
import dev.llava.model.image.RgbImage;
import dev.llava.model.io.Npy;
import dev.llava.model.nn.KvCache;
import dev.llava.model.nn.LlavaModel;
import dev.llava.model.runtime.LlavaRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The training forward against the inference forward (and the reference logits) on both fixtures. */
class TrainingForwardTest {
  static Stream<Path> fixtures() {
    return Stream.of(Fixtures.llava15(), Fixtures.llavaNext());
  }

  /** The fixture's prompt as a training sample: reference ids, reference pixels, the processor's layout. */
  static EncodedSample fixtureSample(Path dir, boolean[] trainable) throws IOException {
    long[] ids = Npy.read(dir.resolve("expected/input_ids.npy")).toLongs();
    Path image = dir.resolve("expected/image_0.png");
    RgbImage rgb = new ImageDecoder().decode(image);
    ImageLayout layout = LlavaRuntime.imageProcessor(dir, LlavaConfig.load(dir)).layout(rgb.height(), rgb.width());
    return new EncodedSample("fixture", ids, trainable == null ? new boolean[ids.length] : trainable, image, layout);
  }

  /** The fixture's prompt with its last {@code n} tokens trained, with the reference pixels, as a one-row batch. */
  static TrainingBatch lastTokensTrained(Path dir, int n) throws IOException {
    int length = fixtureSample(dir, null).length();
    boolean[] trainable = new boolean[length];
    Arrays.fill(trainable, length - n, length, true);
    return new TrainingBatch(List.of(fixtureSample(dir, trainable)), Arrays.asList(fixturePixels(dir)));
  }

  static PixelValues fixturePixels(Path dir) throws IOException {
    Npy.Array px = Npy.read(dir.resolve("expected/pixel_values.npy"));
    long[] s = px.shape();
    int n = s.length;
    return new PixelValues(px.toFloats(), (int) (px.size() / (3 * s[n - 1] * s[n - 2])), (int) s[n - 2],
        (int) s[n - 1]);
  }

  private static float[] prefillLogits(LlavaModel model, long[] ids, PixelValues px, ImageLayout layout,
      NDManager m) {
    NDArray packed = null;
    if (px != null) {
      NDArray pixels = m.create(px.data(), new Shape(px.shape()));
      packed = model.projectAndPack(model.encodeImages(pixels), List.of(layout));
    }
    try (KvCache cache = model.newCache(ids.length)) {
      return model.prefill(model.embedWithImages(ids, packed, m), cache, true).toFloatArray();
    }
  }

  private static double maxDiff(float[] a, float[] b, int from, int count) {
    double worst = 0;
    for (int i = 0; i < count; i++) worst = Math.max(worst, Math.abs(a[from + i] - b[i]));
    return worst;
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void logitsEqualInferencePrefillAndReference(Path dir) throws IOException {
    EncodedSample sample = fixtureSample(dir, null);
    PixelValues px = fixturePixels(dir);
    float[] reference = Npy.read(dir.resolve("expected/logits.npy")).toFloats();
    try (NDManager root = NDManager.newBaseManager(); LlavaModel model = LlavaModel.load(dir);
        LlavaWeights weights = CheckpointLoader.load(dir, root);
        TrainingForward forward = new TrainingForward(weights, root);
        NDManager m = root.newSubManager()) {
      float[] inference = prefillLogits(model, sample.inputIds(), px, sample.layout(), m);
      float[] training = forward.logits(new TrainingBatch(List.of(sample), Arrays.asList(px)), m).toFloatArray();
      double vsInference = maxDiff(inference, training, 0, training.length);
      double vsReference = maxDiff(reference, training, 0, training.length);
      System.out.printf("%s: training vs prefill %.3g, vs reference %.3g%n", dir.getFileName(), vsInference,
          vsReference);
      assertEquals(inference.length, training.length);
      assertTrue(vsInference <= 1e-3, "training vs inference logits: " + vsInference);
      assertTrue(vsReference <= 1e-3, "training vs reference logits: " + vsReference);
    }
  }

  /** A padded batch (image sample, shorter text-only sample, the image sample again) gives each row's own logits. */
  @Test
  void paddedBatchRowsEqualSingleSequencePrefill() throws IOException {
    Path dir = Fixtures.llava15();
    EncodedSample image = fixtureSample(dir, null);
    long[] textIds = {1, 319, 13563, 1546, 263, 12758, 5199, 322, 385, 23116};
    try (NDManager root = NDManager.newBaseManager(); LlavaModel model = LlavaModel.load(dir);
        LlavaWeights weights = CheckpointLoader.load(dir, root);
        TrainingForward forward = new TrainingForward(weights, root);
        NDManager m = root.newSubManager()) {
      long vocab = weights.config().textConfig().vocabSize();
      long[] text = Arrays.stream(textIds).map(id -> id % vocab).toArray();
      EncodedSample textOnly = new EncodedSample("text", text, new boolean[text.length], null, null);
      PixelValues px = fixturePixels(dir);
      TrainingBatch batch = new TrainingBatch(List.of(image, textOnly, image), Arrays.asList(px, null, px));
      NDArray logits = forward.logits(batch, m); // [3, L, V]
      int l = batch.maxLength();
      float[] imageExpected = prefillLogits(model, image.inputIds(), px, image.layout(), m);
      float[] textExpected = prefillLogits(model, text, null, null, m);
      for (int row : new int[] {0, 2}) {
        float[] got = logits.get(new NDIndex().addSliceDim(row, row + 1)).toFloatArray();
        assertTrue(maxDiff(got, imageExpected, 0, imageExpected.length) <= 1e-3, "row " + row);
      }
      float[] gotText = logits.get(new NDIndex().addSliceDim(1, 2).addSliceDim(0, text.length)).toFloatArray();
      double d = maxDiff(gotText, textExpected, 0, textExpected.length);
      assertTrue(d <= 1e-3, "text-only row differs from its own prefill by " + d + " (padding leaked in?)");
      assertEquals(l, image.length());
    }
  }

  /** Backward reaches every weight of every part, image_newline included, and the gradients are finite. */
  @Test
  void lossGradientReachesEveryPart() throws IOException {
    Path dir = Fixtures.llavaNext();
    try (NDManager root = NDManager.newBaseManager();
        LlavaWeights weights = CheckpointLoader.load(dir, root);
        TrainingForward forward = new TrainingForward(weights, root)) {
      TrainingBatch batch = lastTokensTrained(dir, 6);
      List<TrainableParameters.Parameter> params = TrainableParameters.of(weights).all();
      params.forEach(p -> p.array().setRequiresGradient(true));
      try (NDManager m = root.newSubManager()) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray loss = forward.lossSum(batch, m);
          assertTrue(Float.isFinite(loss.getFloat()) && loss.getFloat() > 0, "loss " + loss.getFloat());
          gc.backward(loss);
        }
        List<String> zero = new ArrayList<>();
        for (TrainableParameters.Parameter p : params) {
          NDArray g = p.array().getGradient();
          g.attach(m);
          float norm = g.square().sum().getFloat();
          assertTrue(Float.isFinite(norm), p.name() + " gradient is not finite");
          if (norm == 0) zero.add(p.name());
        }
        assertEquals(List.of(), zero, "parameters without gradient");
      } finally {
        params.forEach(p -> p.array().setRequiresGradient(false));
      }
    }
  }

  /**
   * Gradients do not depend on when the garbage collector runs between forward and backward. (DJL's
   * {@code mul(Number)} hands autograd a tensor over a Java buffer that GC may free; see Activations.scalar.)
   */
  @Test
  void gradientsSurviveGarbageCollectionBetweenForwardAndBackward() throws Exception {
    Path dir = Fixtures.llava15();
    try (NDManager root = NDManager.newBaseManager();
        LlavaWeights weights = CheckpointLoader.load(dir, root);
        TrainingForward forward = new TrainingForward(weights, root)) {
      TrainingBatch batch = lastTokensTrained(dir, 6);
      List<TrainableParameters.Parameter> params = TrainableParameters.of(weights).all();
      params.forEach(p -> p.array().setRequiresGradient(true));
      try {
        float[][] quiet = gradients(forward, batch, params, root, false);
        float[][] collected = gradients(forward, batch, params, root, true);
        for (int i = 0; i < params.size(); i++) {
          assertTrue(Arrays.equals(quiet[i], collected[i]), params.get(i).name() + " changed after a GC");
        }
      } finally {
        params.forEach(p -> p.array().setRequiresGradient(false));
      }
    }
  }

  private static float[][] gradients(TrainingForward forward, TrainingBatch batch,
      List<TrainableParameters.Parameter> params, NDManager root, boolean collectGarbage) throws Exception {
    float[][] out = new float[params.size()][];
    try (NDManager m = root.newSubManager()) {
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = forward.lossSum(batch, m);
        if (collectGarbage) {
          for (int i = 0; i < 3; i++) {
            byte[][] churn = new byte[64][];
            for (int j = 0; j < churn.length; j++) churn[j] = new byte[1 << 20];
            System.gc();
            Thread.sleep(50); // let the Cleaner free unreachable direct buffers
          }
        }
        gc.backward(loss);
      }
      for (int i = 0; i < params.size(); i++) {
        NDArray g = params.get(i).array().getGradient();
        g.attach(m);
        out[i] = g.toFloatArray();
        AdamW.zeroGradient(params.get(i).array());
      }
    }
    return out;
  }
}
