package dev.llava.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration names a service really reads, from its sources: the keys of its application.properties, the
 * names those values reference ({@code ${LLAVA_MODEL_DIR:}}, {@code ${kafka.bootstrap.servers:...}}), and the
 * properties of its {@code @ConfigMapping} interfaces (method names in kebab-case under the prefix; a List
 * element is {@code [*]}). An environment variable configures a name when it is the name's environment form
 * (upper case, every other character '_'), as SmallRye Config maps them.
 */
final class ServiceProperties {
  /** Read by every service that talks to Kafka (README: "Kafka bootstrap via kafka.bootstrap.servers"). */
  static final Set<String> PLATFORM_WIDE = Set.of("kafka.bootstrap.servers");

  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^:}]+)[:}]");
  private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");
  private static final Pattern INTERFACE = Pattern.compile("\\binterface\\s+(\\w+)[^{]*\\{");
  private static final Pattern METHOD = Pattern.compile(
      "(?:@WithName\\(\"([^\"]+)\"\\)\\s*)?(?:@\\w+(?:\\([^)]*\\))?\\s*)*([\\w.<>?, ]+?)\\s+(\\w+)\\(\\)\\s*;");

  private ServiceProperties() {}

  /** Every configuration name of the service, property form ({@code llava.vision.cache.max-bytes}) or env form. */
  static Set<String> of(String service) {
    Path dir = Paths.serviceDir(service).resolve("src/main");
    Set<String> names = new TreeSet<>(PLATFORM_WIDE);
    try {
      Path properties = dir.resolve("resources/application.properties");
      if (Files.exists(properties)) {
        for (String line : Files.readAllLines(properties)) {
          String l = line.strip();
          if (l.isEmpty() || l.startsWith("#") || !l.contains("=")) {
            continue;
          }
          String key = l.substring(0, l.indexOf('=')).strip().replaceFirst("^%[\\w-]+\\.", "");
          names.add(key);
          Matcher ref = REFERENCE.matcher(l.substring(l.indexOf('=') + 1));
          while (ref.find()) {
            names.add(ref.group(1));
          }
        }
      }
      try (Stream<Path> sources = Files.walk(dir.resolve("java"))) {
        for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
          names.addAll(mappingProperties(Files.readString(source)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  /** Whether the environment variable sets one of the names. */
  static boolean configures(Set<String> names, String envVar) {
    return names.stream().anyMatch(n -> envPattern(n).matcher(envVar).matches());
  }

  /** The properties a {@code @ConfigMapping} interface in this source declares; none when it has no mapping. */
  static List<String> mappingProperties(String source) {
    String code = source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    Matcher mapping = MAPPING.matcher(code);
    if (!mapping.find()) {
      return List.of();
    }
    Map<String, String> bodies = new HashMap<>();
    Matcher iface = INTERFACE.matcher(code);
    String root = null;
    while (iface.find()) {
      int open = iface.end() - 1;
      bodies.put(iface.group(1), ownBody(code, open));
      if (root == null && iface.start() > mapping.start()) {
        root = iface.group(1);
      }
    }
    List<String> out = new ArrayList<>();
    collect(mapping.group(1), root, bodies, out, 0);
    return out;
  }

  private static void collect(String prefix, String iface, Map<String, String> bodies, List<String> out, int depth) {
    if (depth > 10) {
      throw new AssertionError("config mapping nesting too deep at " + prefix);
    }
    Matcher m = METHOD.matcher(bodies.get(iface));
    while (m.find()) {
      String type = m.group(2).strip();
      String name = m.group(1) != null ? m.group(1) : kebab(m.group(3));
      String element = type.replaceAll("^(Optional|List)<(.*)>$", "$2").strip();
      String property = prefix + "." + name + (type.startsWith("List<") ? "[*]" : "");
      if (bodies.containsKey(element)) {
        collect(property, element, bodies, out, depth + 1);
      } else {
        out.add(property);
      }
    }
  }

  /** The body of the block opening at {@code open}, without the bodies of blocks nested in it. */
  private static String ownBody(String code, int open) {
    StringBuilder own = new StringBuilder();
    int depth = 0;
    for (int i = open; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '{') {
        depth++;
        continue;
      }
      if (c == '}') {
        if (--depth == 0) {
          break;
        }
        continue;
      }
      if (depth == 1) {
        own.append(c);
      }
    }
    return own.toString();
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  /** The environment form of a name, with any list index where the name has [*]. */
  private static Pattern envPattern(String name) {
    String[] parts = name.split("\\[\\*]", -1);
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        regex.append("_[0-9]+_");
      }
      regex.append(Pattern.quote(parts[i].toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_")));
    }
    return Pattern.compile(regex.toString());
  }
}
