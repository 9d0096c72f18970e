package dev.llava.model.train;

import dev.llava.model.data.LlavaConversationDataset;
import dev.llava.model.data.ShapesDatasetGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A tiny shapes dataset (24 train / 8 test images, 1-3 turns) and a fresh {@link DemoModel.Size#tiny()} model
 * trained-tokenizer included, made once per test JVM and shared by the training tests.
 */
final class TinyFixture {
  static final long SEED = 7;
  private static Path root;
  private static Path data;
  private static Path model;

  private TinyFixture() {}

  static synchronized Path data() {
    if (data == null) {
      try {
        data = root().resolve("data");
        ShapesDatasetGenerator.generate(data, new ShapesDatasetGenerator.Config(24, 8, SEED, 1, 3, 8, 2));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return data;
  }

  static synchronized Path model() {
    if (model == null) {
      try {
        LlavaConversationDataset dataset = LlavaConversationDataset.load(data().resolve("train.json"));
        model = DemoModel.create(root().resolve("model"), DemoModel.Size.tiny(),
            Recipes.corpus(dataset, "vicuna_v1"), SEED);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return model;
  }

  /** A spec over the tiny data and model: all parts, global batch 4 = 2 x 2, vicuna_v1. */
  static TrainingSpecBuilder spec(Path out, int steps) {
    return new TrainingSpecBuilder().recipe("test").stage(TrainingStage.ALL_PARTS).baseModelDir(model())
        .dataPath(data().resolve("train.json")).imageDir(data()).outputDir(out).template("vicuna_v1")
        .learningRate(3e-3).globalBatchSize(4).microBatchSize(2).maxSteps(steps).warmupRatio(0.1)
        .weightDecay(0.01).maxLength(512).seed(SEED).gradClip(1.0);
  }

  private static Path root() throws IOException {
    if (root == null) {
      root = Files.createTempDirectory("llava-train-test");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
    }
    return root;
  }

  static void delete(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort in a shutdown hook
    }
  }
}
