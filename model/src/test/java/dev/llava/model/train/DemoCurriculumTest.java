package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.data.ShapesDatasetGenerator;
import dev.llava.model.runtime.LlavaRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's two phases: vision pre-training, then instruction tuning from it; a rerun skips a finished phase 1. */
class DemoCurriculumTest {
  @Test
  void visionPretrainingThenInstructionTuningAndARerunSkipsAFinishedPhaseOne(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("shapes");
    ShapesDatasetGenerator.generate(data, new ShapesDatasetGenerator.Config(12, 4, 1, 1, 2, 0, 2));
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
    VisionPretraining.Options vision = new VisionPretraining.Options(3, 2, 1e-3, 2, 1);
    TrainingResult result = DemoCurriculum.run(Recipes.demo(data, out, 1).maxSteps(2), vision, listener,
        () -> false);
    assertEquals(out, result.checkpointDir());
    assertEquals(2, result.steps());
    assertEquals(List.of(3, 2), totals, "phase 1 runs its own steps, phase 2 the builder's settings");
    assertTrue(Files.isRegularFile(out.resolve("vision/model.safetensors")));
    assertTrue(Files.isRegularFile(out.resolve("vision/" + VisionPretraining.REPORT_FILE)));
    assertTrue(logs.stream().anyMatch(l -> l.startsWith("phase 1/2")), logs.toString());
    try (LlavaRuntime runtime = LlavaRuntime.load(out)) {
      assertTrue(runtime.patchesPerTile() > 0, "the final checkpoint loads");
    }

    logs.clear();
    totals.clear();
    DemoCurriculum.run(Recipes.demo(data, out, 1).maxSteps(1), vision, listener, () -> false);
    assertFalse(logs.stream().anyMatch(l -> l.startsWith("phase 1/2")), "finished phase 1 rerun: " + logs);
    assertEquals(List.of(1), totals);
  }

  @Test
  void aDemoSpecFromASpecFileOrJobRunsBothPhasesToo(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("shapes");
    ShapesDatasetGenerator.generate(data, new ShapesDatasetGenerator.Config(12, 4, 1, 1, 2, 0, 2));
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
    VisionPretraining.Options vision = new VisionPretraining.Options(3, 2, 1e-3, 2, 1);
    TrainingResult result = new LlavaTrainer(null, seed -> vision).run(spec, listener, () -> false);
    assertEquals(out, result.checkpointDir());
    assertEquals(List.of(3, 2), totals, "the trainer ran phase 1 first, then the spec's own steps");
    assertTrue(Files.isRegularFile(out.resolve("vision/" + VisionPretraining.REPORT_FILE)));
  }
}
