package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.data.AnswerNormalizer;
import dev.llava.model.data.QuestionSample;
import dev.llava.model.data.ShapesDatasetGenerator;
import dev.llava.model.data.VqaEvaluator;
import dev.llava.model.runtime.LlavaRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo recipe, shortened to CI time, learns something measurable: a fresh model (vision pre-training cut
 * short, then a couple of hundred instruction-tuning steps) answers held-out questions in the right answer vocabulary (a colour for a colour
 * question, a digit for a count, an option letter for multiple choice) instead of the babble it starts with,
 * and its loss falls far below where it started. (Reading the image right takes the full recipe; its measured
 * accuracy is in the README.)
 */
class DemoRecipeLearnsTest {
  private static final int STEPS = 200;

  @Test
  void aShortDemoRunLearnsTheAnswerFormats(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("shapes");
    ShapesDatasetGenerator.generate(data, ShapesDatasetGenerator.Config.defaults(7).withImages(300, 40));
    List<Double> losses = new ArrayList<>();
    TrainingSpecBuilder demo = Recipes.demo(data, tmp.resolve("model"), 7).maxSteps(STEPS).globalBatchSize(8)
        .microBatchSize(8);
    // phases 1 and 2 (phase 3 has its own test), phase 1 cut to 60 small steps; the recorded losses are phase 2's
    // (the second run of steps)
    VisionPretraining.Options vision = new VisionPretraining.Options(60, 8, 6e-3, 16, 7);
    TrainingResult result = DemoCurriculum.run(demo, vision, FreshScenes.Options.none(7), new TrainingListener() {
      @Override
      public void onStep(TrainingProgress p) {
        if (p.step() == 1) losses.clear();
        losses.add(p.loss());
      }
    }, () -> false);
    double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = losses.subList(STEPS - 20, STEPS).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    System.out.printf("demo recipe, %d steps: loss %.3f -> %.3f%n", STEPS, first, last);
    assertTrue(last < 0.3 * first, "loss " + first + " -> " + last);

    Map<String, Set<String>> vocabulary = new HashMap<>();
    List<QuestionSample> train = VqaEvaluator.questions(data.resolve(ShapesDatasetGenerator.TRAIN_JSON));
    for (QuestionSample q : train) {
      vocabulary.computeIfAbsent(q.type().id(), k -> new HashSet<>()).add(AnswerNormalizer.normalize(q.answer()));
    }
    List<QuestionSample> heldOut = VqaEvaluator.questions(data.resolve(ShapesDatasetGenerator.TEST_JSON));
    int inVocabulary = 0;
    List<String> off = new ArrayList<>();
    try (LlavaRuntime runtime = LlavaRuntime.load(result.checkpointDir());
        ModelEvaluator evaluator = new ModelEvaluator(runtime, ModelEvaluator.DEFAULT_MAX_NEW_TOKENS)) {
      for (QuestionSample q : heldOut) {
        String answer = evaluator.answer(q);
        String normalized = AnswerNormalizer.normalize(answer);
        if (vocabulary.getOrDefault(q.type().id(), Set.of()).contains(normalized)) {
          inVocabulary++;
        } else if (off.size() < 10) {
          off.add(q.type().id() + ": '" + answer + "'");
        }
      }
    }
    double rate = (double) inVocabulary / heldOut.size();
    System.out.printf("held-out answers in their type's vocabulary: %d / %d%n", inVocabulary, heldOut.size());
    assertTrue(rate >= 0.9, "only " + inVocabulary + "/" + heldOut.size() + " answers fit their question type,"
        + " e.g. " + off);
  }
}
