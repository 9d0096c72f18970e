package dev.llava.cli;

import dev.llava.model.train.TrainingProgress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress on stderr: on a terminal one line redrawn in place
 * ({@code step 12/256 [####......] loss 3.214 lr 1.2e-03 4.5 samples/s ETA 03:21}); otherwise (logs, Kubernetes)
 * plain lines, about fifty per run plus the first and the last step.
 */
final class ProgressBar {
  private static final int WIDTH = 24;
  private final PrintStream out;
  private final boolean tty;
  private final long start = System.nanoTime();
  private boolean lineOpen;

  ProgressBar(PrintStream out, boolean tty) {
    this.out = out;
    this.tty = tty;
  }

  synchronized void update(TrainingProgress p) {
    String line = format(p);
    if (tty) {
      out.print("\r" + line + "\033[K");
      lineOpen = true;
      out.flush();
    } else {
      int every = Math.max(1, p.totalSteps() / 50);
      if (p.step() == 1 || p.step() == p.totalSteps() || p.step() % every == 0) out.println(line);
    }
  }

  static String format(TrainingProgress p) {
    double fraction = p.totalSteps() == 0 ? 1 : (double) p.step() / p.totalSteps();
    int filled = (int) Math.round(fraction * WIDTH);
    double perStep = p.step() == 0 ? 0 : p.elapsedMillis() / 1000.0 / p.step();
    long eta = Math.round(perStep * (p.totalSteps() - p.step()));
    return String.format(Locale.ROOT, "step %d/%d [%s%s] loss %.4f lr %.2e %.1f samples/s ETA %s", p.step(),
        p.totalSteps(), "#".repeat(filled), ".".repeat(WIDTH - filled), p.loss(), p.learningRate(),
        p.samplesPerSecond(), clock(eta));
  }

  /** A message on its own line, without breaking the bar. */
  synchronized void log(String message) {
    if (lineOpen) {
      out.println();
      lineOpen = false;
    }
    out.println(message);
  }

  synchronized void finish() {
    if (lineOpen) out.println();
    lineOpen = false;
  }

  double elapsedSeconds() {
    return Math.round((System.nanoTime() - start) / 1e8) / 10.0;
  }

  static String clock(long seconds) {
    return seconds >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%02d:%02d", seconds / 60, seconds % 60);
  }
}
