package dev.llava.k8s;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric names and label matchers of the simple PromQL the scalers use: {@code sum(name{l="v"})}. */
final class PromQl {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"([^\"]*)\"");
  private static final Set<String> NOT_METRICS = Set.of(
      "sum", "avg", "min", "max", "count", "rate", "irate", "increase", "clamp_min", "clamp_max", "scalar",
      "vector", "histogram_quantile", "and", "or", "unless", "on", "ignoring", "bool", "offset");

  private PromQl() {}

  /** Every metric name the query reads: selectors and bare names, not functions or grouping labels. */
  static Set<String> metricNames(String query) {
    String q = query.replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\[[^]]*]", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(q);
    while (m.find()) {
      String token = m.group();
      boolean call = q.substring(m.end()).stripLeading().startsWith("(");
      boolean number = Character.isDigit(token.charAt(0));
      if (!call && !number && !NOT_METRICS.contains(token)) {
        names.add(token);
      }
    }
    return names;
  }

  /** The equality label matchers of the query's selectors, e.g. namespace="llava". */
  static Map<String, String> labelMatchers(String query) {
    Map<String, String> labels = new LinkedHashMap<>();
    Matcher braces = Pattern.compile("\\{([^}]*)}").matcher(query);
    while (braces.find()) {
      Matcher m = MATCHER.matcher(braces.group(1));
      while (m.find()) {
        labels.put(m.group(1), m.group(2));
      }
    }
    return labels;
  }
}
