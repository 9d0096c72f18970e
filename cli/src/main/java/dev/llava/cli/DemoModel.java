package dev.llava.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The platform's default model: trained by our own trainer ({@code bin/llava train --recipe demo}) on the synthetic
 * shapes dataset. The repository ships one under {@code models/llava-demo} (how it was made: its README); without
 * it, one is trained on first use (about an hour on two CPU cores) and kept under
 * {@code .llava/models/llava-demo}.
 */
final class DemoModel {
  static final String BUNDLED = "models/llava-demo";
  static final String TRAINED_ON_FIRST_USE = ".llava/models/llava-demo";

  private DemoModel() {}

  static Path ensure(Path home, PrintStream out) throws Exception {
    Path bundled = home.resolve(BUNDLED);
    if (isCheckpoint(bundled)) {
      return bundled;
    }
    Path dir = home.resolve(TRAINED_ON_FIRST_USE);
    if (isCheckpoint(dir)) {
      return dir;
    }
    if (!Main.has("train")) {
      throw new CliException("no demo model at " + bundled + " or " + dir + " and this build has no trainer; pass"
          + " --model DIR (any Hugging Face LLaVA checkpoint directory)");
    }
    out.println("no demo model yet: training it now with 'bin/llava train --recipe demo' (first run only)...");
    int status = Main.run(new String[] {"train", "--recipe", "demo", "--out", dir.toString()}, out, System.err);
    if (status != 0) {
      throw new CliException("training the demo model failed (status " + status + "); pass --model DIR instead");
    }
    return dir;
  }

  private static boolean isCheckpoint(Path dir) {
    return Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("model.safetensors"));
  }
}
