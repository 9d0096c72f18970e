package dev.llava.engine.lm;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code shared/fixtures} (system property {@code llava.shared.dir}, set by surefire). */
final class LmFixtures {
  private LmFixtures() {}

  static Path root() {
    String configured = System.getProperty("llava.shared.dir");
    Path shared = configured != null ? Path.of(configured) : Path.of("..", "..", "shared");
    Path fixtures = shared.resolve("fixtures").toAbsolutePath().normalize();
    if (!Files.isDirectory(fixtures)) {
      throw new IllegalStateException("reference fixtures not found at " + fixtures
          + " (expected shared/fixtures beside the repository, or -Dllava.shared.dir=...)");
    }
    return fixtures;
  }

  static Path llava15() {
    return root().resolve("tiny-llava-1.5");
  }

  static Path llavaNext() {
    return root().resolve("tiny-llava-next");
  }
}
