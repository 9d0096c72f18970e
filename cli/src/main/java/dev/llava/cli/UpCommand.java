package dev.llava.cli;

import java.io.PrintStream;

/** {@code bin/llava up}: the README's first command. */
final class UpCommand {
  private UpCommand() {}

  static int run(String[] argv, PrintStream out) {
    out.println("llava up: not yet — the local platform launcher lands with the 'Run it' issue.");
    out.println("Available today: the four services build and start individually, e.g.");
    out.println("  java -jar services/orchestrator/target/quarkus-app/quarkus-run.jar");
    return 1;
  }
}
