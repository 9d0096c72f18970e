package dev.llava.model.text;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.util.ForLoop;
import com.hubspot.jinjava.util.ObjectIterator;
import com.hubspot.jinjava.util.ObjectTruthValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jinja2's filtered loops, {@code {% for m in messages if m.role != 'system' %}}, which Jinjava
 * parses but silently ignores the {@code if}. {@link #rewrite} turns each into
 * {@code {% for m in (messages)|llava_loop_if(0) %}}; this filter keeps the items for which the
 * condition holds, so {@code loop.index}/{@code loop.last} count the kept items as in Jinja2.
 * Conditions travel in the render context under {@link #CONDITIONS}.
 */
final class LoopConditionFilter implements Filter {
  static final String NAME = "llava_loop_if";
  static final String CONDITIONS = "__llava_loop_conditions";
  private static final Pattern FILTERED_FOR = Pattern.compile(
      "\\{%(-?)\\s*for\\s+([\\w\\s,]+?)\\s+in\\s+((?:(?!%}).)+?)\\s+if\\s+((?:(?!%}).)+?)\\s*(-?)%}",
      Pattern.DOTALL);

  /** A loop condition: the loop variable names and the expression over them. */
  record Condition(List<String> variables, String expression) {}

  /** Rewrites filtered loops in {@code source}, appending their conditions to {@code conditions}. */
  static String rewrite(String source, List<Condition> conditions) {
    Matcher m = FILTERED_FOR.matcher(source);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      List<String> vars = new ArrayList<>();
      for (String v : m.group(2).split(",")) {
        vars.add(v.strip());
      }
      conditions.add(new Condition(vars, m.group(4)));
      String loop = "{%" + m.group(1) + " for " + m.group(2).strip() + " in (" + m.group(3) + ")|" + NAME
          + "(" + (conditions.size() - 1) + ") " + m.group(5) + "%}";
      m.appendReplacement(out, Matcher.quoteReplacement(loop));
    }
    m.appendTail(out);
    return out.toString();
  }

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public Object filter(Object items, JinjavaInterpreter interpreter, String... args) {
    @SuppressWarnings("unchecked")
    List<Condition> conditions = (List<Condition>) interpreter.getContext().get(CONDITIONS);
    Condition condition = conditions.get(Integer.parseInt(args[0]));
    List<Object> kept = new ArrayList<>();
    ForLoop loop = ObjectIterator.getLoop(items);
    while (loop.hasNext()) {
      Object item = loop.next();
      try (var scope = interpreter.enterScope()) {
        bind(interpreter, condition.variables(), item);
        Object holds = interpreter.resolveELExpression(condition.expression(), interpreter.getLineNumber());
        if (ObjectTruthValue.evaluate(holds)) {
          kept.add(item);
        }
      }
    }
    return kept;
  }

  private static void bind(JinjavaInterpreter interpreter, List<String> vars, Object item) {
    if (vars.size() == 1) {
      interpreter.getContext().put(vars.get(0), item);
    } else if (item instanceof Map.Entry<?, ?> e && vars.size() == 2) {
      interpreter.getContext().put(vars.get(0), e.getKey());
      interpreter.getContext().put(vars.get(1), e.getValue());
    } else if (item instanceof List<?> values) {
      for (int i = 0; i < vars.size() && i < values.size(); i++) {
        interpreter.getContext().put(vars.get(i), values.get(i));
      }
    }
  }
}
