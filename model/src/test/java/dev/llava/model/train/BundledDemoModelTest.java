package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.data.AccuracyReport;
import dev.llava.model.data.ShapesDatasetGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo model the repository ships ({@code models/llava-demo}, what {@code bin/llava up} serves) loads and
 * answers freshly drawn scenes it never saw, far above chance (about 30% for short answers).
 */
class BundledDemoModelTest {
  private static final Path BUNDLED = Path.of("..", "models", "llava-demo");
  // a dataset seed the shipped model was not trained on (it was trained on seed 1's train split)
  private static final long UNSEEN_SEED = 2024;
  private static final int IMAGES = 80;
  // the shipped model scores ~75% on 573 held-out short answers; 80 images give ~210 (standard error ~3 points)
  private static final double MIN_SHORT_ANSWER_ACCURACY = 0.6;

  @Test
  void answersUnseenScenesFarAboveChance(@TempDir Path tmp) throws Exception {
    assertTrue(Files.isRegularFile(BUNDLED.resolve("model.safetensors")),
        "the repository must ship the demo model at " + BUNDLED.toAbsolutePath().normalize());
    ShapesDatasetGenerator.generate(tmp, ShapesDatasetGenerator.Config.defaults(UNSEEN_SEED).withImages(1, IMAGES));
    AccuracyReport report = ModelEvaluator.evaluate(BUNDLED, tmp.resolve(ShapesDatasetGenerator.TEST_JSON), 0,
        done -> {});
    System.out.println("bundled demo model on unseen scenes: " + report.toJson());
    AccuracyReport.Tally shortAnswers = report.shortAnswer();
    assertTrue(shortAnswers.n() >= 150, "too few short-answer questions: " + shortAnswers.n());
    assertTrue(shortAnswers.accuracy() >= MIN_SHORT_ANSWER_ACCURACY, "short answers " + shortAnswers.correct() + "/"
        + shortAnswers.n() + " right, expected >= " + MIN_SHORT_ANSWER_ACCURACY);
  }
}
