package dev.llava.k8s;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the manifests and the services' build outputs are, from {@code -Dllava.k8s.dir} (set by the pom). */
final class Paths {
  private Paths() {}

  static Path k8sDir() {
    String configured = System.getProperty("llava.k8s.dir");
    Path dir = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
    if (!Files.isDirectory(dir.resolve("overlays")) && Files.isDirectory(dir.resolve("k8s/overlays"))) {
      dir = dir.resolve("k8s");
    }
    if (!Files.isDirectory(dir.resolve("overlays"))) {
      throw new AssertionError("no overlays/ under " + dir.toAbsolutePath()
          + ": run the tests from the k8s module or set -Dllava.k8s.dir");
    }
    return dir.toAbsolutePath().normalize();
  }

  static Path repoDir() {
    return k8sDir().getParent();
  }

  /** A service's directory, e.g. {@code services/vision-encoder}. */
  static Path serviceDir(String service) {
    return repoDir().resolve("services").resolve(service);
  }
}
