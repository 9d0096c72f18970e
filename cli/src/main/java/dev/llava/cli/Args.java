package dev.llava.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsed {@code --name value} options, repeatable options, boolean flags and positional arguments of one
 * subcommand. Unknown options are errors that list the known ones.
 */
public final class Args {
  private final String command;
  private final Map<String, List<String>> options = new HashMap<>();
  private final List<String> positional = new ArrayList<>();

  /**
   * @param valued options that take a value (without the leading dashes)
   * @param flags options that take none
   */
  public Args(String command, String[] argv, int from, Set<String> valued, Set<String> flags) {
    this.command = command;
    for (int i = from; i < argv.length; i++) {
      String a = argv[i];
      if (a.startsWith("--") && a.length() > 2) {
        String name = a.substring(2);
        String inlineValue = null;
        int eq = name.indexOf('=');
        if (eq > 0) {
          inlineValue = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (flags.contains(name)) {
          options.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
        } else if (valued.contains(name)) {
          String value = inlineValue;
          if (value == null) {
            if (i + 1 >= argv.length) {
              throw new CliException("option --" + name + " expects a value");
            }
            value = argv[++i];
          }
          options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        } else {
          List<String> known = new ArrayList<>();
          valued.forEach(v -> known.add("--" + v));
          flags.forEach(f -> known.add("--" + f));
          known.sort(null);
          throw new CliException("unknown option --" + name + " (expected one of " + known + ")");
        }
      } else {
        positional.add(a);
      }
    }
  }

  public boolean flag(String name) {
    return options.containsKey(name);
  }

  public String get(String name, String fallback) {
    List<String> v = options.get(name);
    return v == null ? fallback : v.get(v.size() - 1);
  }

  public String required(String name) {
    String v = get(name, null);
    if (v == null) {
      throw new CliException("missing required option --" + name);
    }
    return v;
  }

  public List<String> all(String name) {
    return options.getOrDefault(name, List.of());
  }

  public List<String> positional() {
    return positional;
  }

  public int intValue(String name, int fallback) {
    String v = get(name, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new CliException("--" + name + " expects an integer, got '" + v + "'");
    }
  }

  public double doubleValue(String name, double fallback) {
    String v = get(name, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new CliException("--" + name + " expects a number, got '" + v + "'");
    }
  }

  /** A path option that must name an existing directory. */
  public Path existingDir(String name) {
    Path p = Path.of(required(name));
    if (!Files.isDirectory(p)) {
      throw new CliException("--" + name + " " + p + " is not a directory");
    }
    return p;
  }

  /** An existing regular file. */
  public static Path existingFile(String command, String what, String value) {
    Path p = Path.of(value);
    if (!Files.isRegularFile(p)) {
      throw new CliException("" + what + " " + p + " does not exist or is not a file");
    }
    return p;
  }
}
