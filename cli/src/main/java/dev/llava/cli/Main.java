package dev.llava.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code bin/llava}: the project's one command-line entry point. */
public final class Main {

  /** A subcommand: runs with the arguments after its name and returns the exit status. */
  public interface Command {
    int run(String[] args, PrintStream out) throws Exception;
  }

  private static final Map<String, String> SUMMARIES = new LinkedHashMap<>();
  private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

  static {
    register("up", "run the platform locally (Kafka + the four services)", UpCommand::run);
    ModelCommands.register();
    ChatCommand.register();
    TrainCommands.register();
  }

  static boolean has(String name) {
    return COMMANDS.containsKey(name);
  }

  static void register(String name, String summary, Command command) {
    SUMMARIES.put(name, summary);
    COMMANDS.put(name, command);
  }

  private Main() {}

  public static void main(String[] argv) {
    System.exit(run(argv, System.out, System.err));
  }

  /** Runs a command line; returns the process exit status (0 ok, 1 failure, 2 usage error). */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h")) {
      usage(out);
      return argv.length == 0 ? 2 : 0;
    }
    Command command = COMMANDS.get(argv[0]);
    if (command == null) {
      err.println("llava: unknown command '" + argv[0] + "' (expected one of " + COMMANDS.keySet() + ")");
      return 2;
    }
    try {
      return command.run(Arrays.copyOfRange(argv, 1, argv.length), out);
    } catch (CliException e) {
      err.println("llava " + argv[0] + ": " + e.getMessage());
      return 2;
    } catch (Exception e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      err.println("llava " + argv[0] + ": " + msg.lines().findFirst().orElse(msg));
      return 1;
    }
  }

  private static void usage(PrintStream out) {
    out.println("usage: bin/llava <command> [options]");
    out.println();
    SUMMARIES.forEach((name, summary) -> out.printf("  %-14s %s%n", name, summary));
  }
}
