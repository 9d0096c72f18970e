package dev.llava.model;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code shared/fixtures}: the reference checkpoints and expected outputs beside the repository. */
public final class Fixtures {
  private Fixtures() {}

  public static Path root() {
    String configured = System.getProperty("llava.shared.dir");
    Path shared = configured != null ? Path.of(configured) : Path.of("..", "..", "shared");
    Path fixtures = shared.resolve("fixtures").toAbsolutePath().normalize();
    if (!Files.isDirectory(fixtures)) {
      throw new IllegalStateException("reference fixtures not found at " + fixtures
          + " (expected shared/fixtures beside the repository, or -Dllava.shared.dir=...)");
    }
    return fixtures;
  }

  public static Path llava15() {
    return root().resolve("tiny-llava-1.5");
  }

  public static Path llavaNext() {
    return root().resolve("tiny-llava-next");
  }

  public static Path tokenizers() {
    return root().resolve("tokenizers");
  }
}
