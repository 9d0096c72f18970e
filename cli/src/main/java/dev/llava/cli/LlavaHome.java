package dev.llava.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The repository checkout {@code bin/llava} runs from, and the build outputs it needs. */
final class LlavaHome {
  static final List<String> SERVICES = List.of("vision-encoder", "projector-lm", "orchestrator", "trainer");

  private LlavaHome() {}

  static Path root() {
    String home = System.getProperty("llava.home");
    if (home == null) {
      throw new CliException("llava.home is not set: run through bin/llava");
    }
    return Path.of(home).toAbsolutePath();
  }

  static Path serviceJar(Path home, String service) {
    return home.resolve("services").resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
  }

  /** The modules the services are built from (their own and everything they depend on). */
  static final List<String> SERVICE_SOURCES = List.of("proto", "model", "engine", "test-support",
      "services/vision-encoder", "services/projector-lm", "services/orchestrator", "services/trainer");

  /**
   * Builds the services (skipping tests) when any of their runnable jars is missing or older than a source: a
   * checkout updated by {@code git pull} must not quietly serve the previous build.
   */
  static void buildServicesIfStale(Path home, PrintStream out) throws IOException, InterruptedException {
    Optional<String> why = staleness(home);
    if (why.isEmpty()) {
      return;
    }
    out.println("building the services (" + why.get() + "; a few minutes)...");
    Process build = new ProcessBuilder(home.resolve("mvnw").toString(), "-B", "-q", "-DskipTests", "install")
        .directory(home.toFile()).inheritIO().start();
    int status = build.waitFor();
    if (status != 0) {
      throw new IOException("the build failed with status " + status + " (run ./mvnw -B -DskipTests install to see why)");
    }
    FileTime now = FileTime.fromMillis(System.currentTimeMillis());
    for (String service : SERVICES) {
      // an up-to-date module keeps its old jar, which would look stale again on the next run
      Files.setLastModifiedTime(serviceJar(home, service), now);
    }
  }

  /** Why the services need a build ("first run", or the first source newer than a jar), or empty when they don't. */
  static Optional<String> staleness(Path home) throws IOException {
    FileTime oldestJar = null;
    for (String service : SERVICES) {
      Path jar = serviceJar(home, service);
      if (!Files.isRegularFile(jar)) {
        return Optional.of("first run");
      }
      FileTime t = Files.getLastModifiedTime(jar);
      if (oldestJar == null || t.compareTo(oldestJar) < 0) oldestJar = t;
    }
    List<Path> roots = new ArrayList<>(List.of(home.resolve("pom.xml")));
    for (String module : SERVICE_SOURCES) {
      roots.add(home.resolve(module).resolve("pom.xml"));
      roots.add(home.resolve(module).resolve("src/main"));
    }
    for (Path root : roots) {
      if (!Files.exists(root)) continue;
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          if (Files.getLastModifiedTime(f).compareTo(oldestJar) > 0) {
            return Optional.of(home.relativize(f) + " changed since the last build");
          }
        }
      }
    }
    return Optional.empty();
  }
}
