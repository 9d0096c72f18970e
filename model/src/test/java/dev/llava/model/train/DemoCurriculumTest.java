package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llava.model.data.ShapesDatasetGenerator;
import dev.llava.model.runtime.LlavaRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's phases: vision pre-training, instruction tuning from it, tuning on fresh scenes from that; a rerun
 * starts after the last finished phase.
 */
class DemoCurriculumTest {
  /** Phase 1 cut to three steps of two scenes: enough to chain the phases, not to learn. */
  private static final VisionPretraining.Options TINY_VISION = new VisionPretraining.Options(3, 2, 1e-3, 2, 1);

  /** A shapes folder of 12 train and 4 test images, 1-2 questions each. */
  private static Path smallShapes(Path tmp) throws Exception {
    Path data = tmp.resolve("shapes");
    ShapesDatasetGenerator.generate(data, new ShapesDatasetGenerator.Config(12, 4, 1, 1, 2, 0, 2));
    return data;
  }

  @Test
  void visionPretrainingThenInstructionTuningThenFreshScenesAndARerunSkipsFinishedPhases(@TempDir Path tmp)
      throws Exception {
    Path data = smallShapes(tmp);
    assertTrue(DemoCurriculum.applies(data));
    Path out = tmp.resolve("demo");
    List<String> logs = new ArrayList<>();
    List<Integer> totals = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onStep(TrainingProgress p) {
        if (p.step() == 1) totals.add(p.totalSteps());
      }

      @Override
      public void onLog(String message) {
        logs.add(message);
      }
    };
    // 6 scenes of 1-5 questions, turns rotated: 6-30 records at the recipe's global batch of 16, so 1-2 steps
    FreshScenes.Options fresh = new FreshScenes.Options(6, 1, 1e-3, 1);
    TrainingResult result = DemoCurriculum.run(Recipes.demo(data, out, 1).maxSteps(2), TINY_VISION, fresh,
        listener, () -> false);
    assertEquals(out, result.checkpointDir());
    assertEquals(3, totals.size(), "three phases ran: " + totals);
    assertEquals(List.of(3, 2), totals.subList(0, 2), "phase 1 runs its own steps, phase 2 the builder's settings");
    assertEquals(totals.get(2), result.steps(), "phase 3 runs one epoch of its scenes, whatever phase 2's max steps");
    assertTrue(Files.isRegularFile(out.resolve("vision/model.safetensors")));
    assertTrue(Files.isRegularFile(out.resolve("vision/" + VisionPretraining.REPORT_FILE)));
    assertTrue(Files.isRegularFile(out.resolve("tuned/model.safetensors")), "phase 2's checkpoint is kept");
    JsonNode info = new ObjectMapper().readTree(out.resolve("fresh/" + ShapesDatasetGenerator.INFO_JSON).toFile());
    assertEquals(6, info.get("train_images").asInt());
    assertEquals(FreshScenes.SEED_OFFSET + 1, info.get("seed").asLong(), "a stream apart from the dataset's");
    assertTrue(logs.stream().anyMatch(l -> l.startsWith("phase 1/3")), logs.toString());
    assertTrue(logs.stream().anyMatch(l -> l.startsWith("phase 3/3")), logs.toString());
    try (LlavaRuntime runtime = LlavaRuntime.load(out)) {
      assertTrue(runtime.patchesPerTile() > 0, "the final checkpoint loads");
    }

    logs.clear();
    totals.clear();
    DemoCurriculum.run(Recipes.demo(data, out, 1).maxSteps(1), TINY_VISION, fresh, listener, () -> false);
    assertFalse(logs.stream().anyMatch(l -> l.startsWith("phase 1/") || l.startsWith("phase 2/")),
        "finished phases 1 and 2, rerun: " + logs);
    assertTrue(logs.contains("fresh scenes already drawn in " + out.resolve("fresh")), logs.toString());
    assertEquals(1, totals.size(), "only phase 3 ran again: " + totals);
  }

  @Test
  void withoutFreshScenesPhaseTwoWritesTheFinalCheckpoint(@TempDir Path tmp) throws Exception {
    Path data = smallShapes(tmp);
    Path out = tmp.resolve("demo");
    List<String> logs = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onLog(String message) {
        logs.add(message);
      }
    };
    TrainingResult result = DemoCurriculum.run(Recipes.demo(data, out, 1).maxSteps(2), TINY_VISION,
        FreshScenes.Options.none(1), listener, () -> false);
    assertEquals(out, result.checkpointDir());
    assertEquals(2, result.steps());
    assertTrue(logs.stream().anyMatch(l -> l.startsWith("phase 2/2")), logs.toString());
    assertFalse(Files.exists(out.resolve("tuned")) || Files.exists(out.resolve("fresh")));
  }

  @Test
  void aDemoSpecFromASpecFileOrJobRunsEveryPhaseToo(@TempDir Path tmp) throws Exception {
    Path data = smallShapes(tmp);
    Path out = tmp.resolve("job");
    TrainingSpec spec = Recipes.demo(data, out, 1).maxSteps(2).build();
    assertEquals(spec, TrainingSpecBuilder.from(spec).build(), "a builder from a spec builds the same spec");
    assertTrue(DemoCurriculum.appliesTo(spec));
    assertFalse(DemoCurriculum.appliesTo(TrainingSpecBuilder.from(spec).baseModelDir(tmp).build()), "base model");
    assertFalse(DemoCurriculum.appliesTo(TrainingSpecBuilder.from(spec).trainVision(false).build()), "phase 2");
    assertFalse(DemoCurriculum.appliesTo(TrainingSpecBuilder.from(spec).recipe("stage2").build()), "other recipe");
    Path elsewhere = Files.copy(data.resolve(ShapesDatasetGenerator.TRAIN_JSON), tmp.resolve("mine.json"));
    assertFalse(DemoCurriculum.appliesTo(TrainingSpecBuilder.from(spec).dataPath(elsewhere).build()), "not a folder");

    List<Integer> totals = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onStep(TrainingProgress p) {
        if (p.step() == 1) totals.add(p.totalSteps());
      }
    };
    TrainingResult result = new LlavaTrainer(null, seed -> TINY_VISION,
        seed -> new FreshScenes.Options(6, 1, 1e-3, seed)).run(spec, listener, () -> false);
    assertEquals(out, result.checkpointDir());
    assertEquals(3, totals.size(), "three phases: " + totals);
    assertEquals(List.of(3, 2), totals.subList(0, 2), "the trainer ran phase 1 first, then the spec's own steps");
    assertTrue(Files.isRegularFile(out.resolve("fresh/" + ShapesDatasetGenerator.TRAIN_JSON)), "then phase 3");
    assertTrue(Files.isRegularFile(out.resolve("vision/" + VisionPretraining.REPORT_FILE)));
  }
}
