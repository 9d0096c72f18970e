package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.io.SafetensorsReader;
import dev.llava.model.runtime.LlavaRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vision pre-training: the tower learns the patch targets, and nothing but the tower changes. */
class VisionPretrainingTest {
  @TempDir Path tmp;

  @Test
  void theTowerLearnsWhereObjectsAreAndOnlyTheTowerChanges() throws Exception {
    Path out = tmp.resolve("vision");
    List<Double> losses = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onStep(TrainingProgress p) {
        losses.add(p.loss());
      }
    };
    VisionPretraining.Result r = VisionPretraining.run(TinyFixture.model(), out,
        new VisionPretraining.Options(150, 8, 6e-3, 48, 3), listener, () -> false);

    assertEquals(150, r.steps());
    assertFalse(r.cancelled());
    double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = losses.subList(145, 150).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
    VisionPretraining.Accuracy a = r.accuracy();
    assertTrue(a.objectPatches() > 50 && a.locatedPatches() > 20, a.toString());
    // chance is 1 in 12 (shape, colour) classes and 1 in 5 regions; measured after 150 tiny steps: 28% and 36%
    assertTrue(a.object() > 2.0 / 12, "held-out object patches: " + a);
    assertTrue(a.region() > 0.25, "held-out objects located: " + a);
    assertTrue(a.empty() > 0.8, "held-out empty patches: " + a);
    assertTrue(Files.isRegularFile(out.resolve(VisionPretraining.REPORT_FILE)));

    int changed = 0;
    try (SafetensorsReader before = SafetensorsReader.open(TinyFixture.model());
        SafetensorsReader after = SafetensorsReader.open(out)) {
      assertEquals(before.keys(), after.keys(), "same tensors: the throw-away head is not saved");
      for (String key : before.keys()) {
        float[] x = before.readFloats(key);
        float[] y = after.readFloats(key);
        if (key.startsWith("vision_tower.") && !key.contains("post_layernorm")) {
          if (!Arrays.equals(x, y)) changed++;
        } else {
          assertArrayEquals(x, y, 0f, key + " is outside the tower but changed");
        }
      }
    }
    assertTrue(changed >= 10, "the tower trained (" + changed + " tensors changed)");
    try (LlavaRuntime runtime = LlavaRuntime.load(out)) {
      assertTrue(runtime.patchesPerTile() > 0, "the checkpoint loads");
    }
  }

  @Test
  void optionsOutOfRangeAreRefusedWithTheValuesGiven() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new VisionPretraining.Options(0, 8, 1e-3, 8, 1));
    assertTrue(e.getMessage().contains("steps"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new VisionPretraining.Options(1, 8, 0, 8, 1));
  }
}
