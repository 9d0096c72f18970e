package dev.llava.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The platform's bundled default model: trained by our own trainer on the synthetic shapes dataset. It is made on
 * first use (a few minutes on a laptop CPU) and kept under {@code .llava/models/llava-demo}.
 */
final class DemoModel {
  private DemoModel() {}

  static Path ensure(Path home, PrintStream out) throws Exception {
    Path dir = home.resolve(".llava/models/llava-demo");
    if (Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("model.safetensors"))) {
      return dir;
    }
    if (!Main.has("train")) {
      throw new CliException("no demo model at " + dir + " and this build has no trainer; pass --model DIR "
          + "(any Hugging Face LLaVA checkpoint directory)");
    }
    out.println("no demo model yet: training it now with 'bin/llava train --recipe demo' (first run only)...");
    int status = Main.run(new String[] {"train", "--recipe", "demo", "--out", dir.toString()}, out, System.err);
    if (status != 0) {
      throw new CliException("training the demo model failed (status " + status + "); pass --model DIR instead");
    }
    return dir;
  }
}
