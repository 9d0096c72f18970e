package dev.llava.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

  /** Builds the services (skipping tests) when any of their runnable jars is missing. */
  static void buildServicesIfMissing(Path home, PrintStream out) throws IOException, InterruptedException {
    if (SERVICES.stream().allMatch(s -> Files.isRegularFile(serviceJar(home, s)))) {
      return;
    }
    out.println("building the services (first run; a few minutes)...");
    Process build = new ProcessBuilder(home.resolve("mvnw").toString(), "-B", "-q", "-DskipTests", "install")
        .directory(home.toFile()).inheritIO().start();
    int status = build.waitFor();
    if (status != 0) {
      throw new IOException("the build failed with status " + status + " (run ./mvnw -B -DskipTests install to see why)");
    }
  }
}
