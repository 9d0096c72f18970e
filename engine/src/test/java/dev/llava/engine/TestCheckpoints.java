package dev.llava.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/** The reference fixture checkpoints in {@code shared/fixtures} beside the repository. */
public final class TestCheckpoints {
  private TestCheckpoints() {}

  public static Path fixtures() {
    Path p = Path.of(System.getProperty("llava.shared.dir", "../../shared"), "fixtures").toAbsolutePath().normalize();
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("reference fixtures not found at " + p + " (set -Dllava.shared.dir)");
    }
    return p;
  }

  public static Path llava15() {
    return fixtures().resolve("tiny-llava-1.5");
  }

  public static Path llavaNext() {
    return fixtures().resolve("tiny-llava-next");
  }
}
