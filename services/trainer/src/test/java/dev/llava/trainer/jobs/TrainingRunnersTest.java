package dev.llava.trainer.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.train.TrainingRunner;
import dev.llava.model.train.TrainingSpec;
import dev.llava.model.train.TrainingStage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainingRunnersTest {
  private final ClassLoader loader = getClass().getClassLoader();

  @Test
  void aRunnerClassIsInstantiatedByItsNoArgConstructor() {
    assertInstanceOf(StepCountingRunner.class, TrainingRunners.load(StepCountingRunner.class.getName(), loader));
  }

  @Test
  void aMissingOrWrongClassMakesAnUnavailableRunnerSayingWhy() {
    TrainingRunner missing = TrainingRunners.load("dev.llava.model.train.NoSuchTrainer", loader);
    assertTrue(((TrainingRunners.Unavailable) missing).reason().startsWith("the trainer class"
        + " dev.llava.model.train.NoSuchTrainer (llava.trainer.runner-class) is not on the class path"));
    assertEquals("llava.trainer.runner-class java.lang.String does not implement"
        + " dev.llava.model.train.TrainingRunner",
        ((TrainingRunners.Unavailable) TrainingRunners.load("java.lang.String", loader)).reason());
  }

  @Test
  void aLocalRunnerWithoutTrainerRefusesJobsWithTheReason() {
    try (LocalRunner local = new LocalRunner(null, "the trainer class X is not on the class path")) {
      assertEquals("the trainer class X is not on the class path", local.unavailableReason());
    }
  }

  @Test
  void theSpecJsonRoundTripsWithPlainPathStrings() {
    TrainingSpec spec = new TrainingSpec(TrainingStage.STAGE1_ALIGN, "llava-1.5", Path.of("/models/base"),
        Path.of("/models/data/train.json"), null, Path.of("/models/jobs/job-1"), null, 1e-3, 256, 32, 0, 1, 0.03,
        0, 0.999, 2048, false, 42, false, true, false, 1.0, null);
    String json = TrainingSpecJson.write(spec);
    assertTrue(json.contains("\"dataPath\":\"/models/data/train.json\""), json);
    assertTrue(!json.contains("imageDir"), "unset components are left out: " + json);
    assertEquals(spec, TrainingSpecJson.read(json));
  }
}
