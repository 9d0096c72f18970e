package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The spec file of {@code bin/llava train --spec-json}: the trainer service's format, snake_case, defaults. */
class TrainingSpecJsonTest {
  @Test
  void readsWhatTheTrainerServiceWrites() throws Exception {
    // Jackson's record serialization as the trainer service configures it: component names, nulls left out
    String json = "{\"stage\":\"STAGE2_INSTRUCT\",\"recipe\":\"llava-1.5\",\"baseModelDir\":\"/models/base\","
        + "\"dataPath\":\"/data/train.json\",\"outputDir\":\"/models/out\",\"learningRate\":2.0E-5,"
        + "\"globalBatchSize\":128,\"microBatchSize\":16,\"maxSteps\":0,\"epochs\":1,\"warmupRatio\":0.03,"
        + "\"weightDecay\":0.0,\"maxLength\":2048,\"seed\":42,\"trainVision\":false,\"trainProjector\":true,"
        + "\"trainLanguageModel\":true,\"gradClip\":1.0}";
    TrainingSpec s = TrainingSpecJson.parse(json);
    assertEquals(new TrainingSpec(TrainingStage.STAGE2_INSTRUCT, "llava-1.5", Path.of("/models/base"),
        Path.of("/data/train.json"), null, Path.of("/models/out"), null, 2e-5, 128, 16, 0, 1, 0.03, 0.0,
        AdamW.DEFAULT_BETA2, 2048, false, 42, false, true, true, 1.0, null), s);
    assertEquals(s, TrainingSpecJson.parse(TrainingSpecJson.toJsonString(s)), "round trip");
    assertTrue(TrainingSpecJson.toJsonString(s).contains("\"baseModelDir\""));
  }

  @Test
  void snakeCaseWithRecipeDefaults() throws Exception {
    TrainingSpec s = TrainingSpecJson.parse("{\"recipe\": \"stage1\", \"base_model_dir\": \"m\", \"data_path\":"
        + " \"captions.json\", \"output_dir\": \"out\", \"max_steps\": 5}");
    assertEquals(TrainingStage.STAGE1_ALIGN, s.stage());
    assertEquals(1e-3, s.learningRate());
    assertEquals(256, s.globalBatchSize());
    assertEquals(5, s.maxSteps());
    assertTrue(s.trainProjector() && !s.trainVision() && !s.trainLanguageModel());
    assertNull(s.template(), "stage 1 falls back to plain in the trainer");
    assertEquals(java.util.List.of(), s.problems());
  }

  @Test
  void turnRotationFollowsTheRecipeUnlessGiven() throws Exception {
    String demo = "{\"recipe\": \"demo\", \"data_path\": \"d.json\", \"output_dir\": \"out\"";
    assertTrue(TrainingSpecJson.parse(demo + "}").rotateTurns(), "the demo recipe rotates: Recipes.DEMO_ROTATE_TURNS");
    TrainingSpec off = TrainingSpecJson.parse(demo + ", \"rotate_turns\": false}");
    assertFalse(off.rotateTurns());
    assertFalse(TrainingSpecJson.toJson(off).get("rotateTurns").asBoolean());
    assertEquals(off, TrainingSpecJson.parse(TrainingSpecJson.toJsonString(off)), "round trip");
    assertFalse(TrainingSpecJson.parse("{\"recipe\": \"stage2\", \"base_model_dir\": \"m\", \"data_path\":"
        + " \"d.json\", \"output_dir\": \"out\"}").rotateTurns(), "LLaVA's recipes train records as they are");
  }

  @Test
  void adamBeta2IsReadCheckedAndWritten() throws Exception {
    String base = "{\"recipe\": \"stage2\", \"base_model_dir\": \"m\", \"data_path\": \"d.json\","
        + " \"output_dir\": \"out\"";
    assertEquals(0.999, TrainingSpecJson.parse(base + "}").adamBeta2(), "PyTorch's default when not given");
    TrainingSpec s = TrainingSpecJson.parse(base + ", \"adam_beta2\": 0.95}");
    assertEquals(0.95, s.adamBeta2());
    assertEquals(0.95, TrainingSpecJson.toJson(s).get("adamBeta2").asDouble());
    assertEquals(s, TrainingSpecJson.parse(TrainingSpecJson.toJsonString(s)), "round trip");
    assertEquals(java.util.List.of("adam_beta2 must be in (0, 1), got 1.0"),
        TrainingSpecJson.parse(base + ", \"adam_beta2\": 1}").problems());
  }

  @Test
  void mistakesAreNamed() {
    var unknown = assertThrows(IllegalArgumentException.class,
        () -> TrainingSpecJson.parse("{\"recipe\": \"stage2\", \"learning_rat\": 0.1}"));
    assertTrue(unknown.getMessage().contains("unknown field 'learning_rat'"), unknown.getMessage());
    var type = assertThrows(IllegalArgumentException.class,
        () -> TrainingSpecJson.parse("{\"recipe\": \"stage2\", \"maxSteps\": \"ten\"}"));
    assertTrue(type.getMessage().contains("'max_steps' must be an integer"), type.getMessage());
    var none = assertThrows(IllegalArgumentException.class, () -> TrainingSpecJson.parse("{\"seed\": 1}"));
    assertTrue(none.getMessage().contains("give 'recipe'"), none.getMessage());
  }
}
