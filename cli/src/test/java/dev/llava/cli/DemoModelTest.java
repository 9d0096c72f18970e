package dev.llava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which checkpoint {@code bin/llava up} serves when no {@code --model} is given. */
class DemoModelTest {
  @TempDir
  Path home;

  @Test
  void theBundledModelIsServedBeforeAnyTrainedOnFirstUse() throws Exception {
    checkpoint(home.resolve(DemoModel.TRAINED_ON_FIRST_USE));
    checkpoint(home.resolve(DemoModel.BUNDLED));
    assertEquals(home.resolve(DemoModel.BUNDLED), DemoModel.ensure(home, quiet()));
  }

  @Test
  void withoutABundledModelTheOneTrainedOnFirstUseIsServed() throws Exception {
    checkpoint(home.resolve(DemoModel.TRAINED_ON_FIRST_USE));
    Files.createDirectories(home.resolve(DemoModel.BUNDLED)); // present but not a checkpoint
    assertEquals(home.resolve(DemoModel.TRAINED_ON_FIRST_USE), DemoModel.ensure(home, quiet()));
  }

  private static void checkpoint(Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), "{}");
    Files.write(dir.resolve("model.safetensors"), new byte[8]);
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
