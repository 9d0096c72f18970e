package dev.llava.model.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jinjava.javax.el.CompositeELResolver;

/**
 * Jinjava set up to behave like the Jinja2 environment transformers renders chat templates in
 * ({@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)} plus
 * {@code raise_exception}, {@code strftime_now} and the {@code generation} block).
 *
 * <p>Known differences that remain: booleans print as {@code true}/{@code false} (Jinja2:
 * {@code True}/{@code False}), {@code none} prints as nothing (Jinja2: {@code None}), an undefined
 * variable {@code is none}, and {@code not} before a comparison is fixed only for simple operands.
 */
final class Jinja2Environment {
  private static final ThreadLocal<String> RAISED = new ThreadLocal<>();
  private static final Jinjava JINJA = newJinjava();

  private static final Pattern TAG = Pattern.compile("\\{\\{.*?}}|\\{%.*?%}", Pattern.DOTALL);
  private static final String OPERAND =
      "(?:'[^']*'|\"[^\"]*\"|[\\w.]+(?:\\[(?:'[^']*'|\"[^\"]*\"|\\d+)])*(?:\\.\\w+)*)";
  private static final Pattern NOT_COMPARISON = Pattern.compile(
      "\\bnot\\s+(" + OPERAND + ")\\s*(==|!=|<=|>=|<|>)\\s*(" + OPERAND + ")");

  private Jinja2Environment() {}

  private static Jinjava newJinjava() {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStringMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
    // The overrides that bring Jinjava closer to Jinja2: {{- -}} and {#- -#} trim, dict loops
    // give keys, lists/dicts print as Python would, Jinja2's operator precedence.
    LegacyOverrides jinja2 = LegacyOverrides.newBuilder()
        .withUseTrimmingForNotesAndExpressions(true)
        .withParseWhitespaceControlStrictly(true)
        .withIterateOverMapKeys(true)
        .withEvaluateMapKeys(true)
        .withUsePyishObjectMapper(true)
        .withUseNaturalOperatorPrecedence(true)
        .withKeepNullableLoopValues(true)
        .build();
    JinjavaConfig config = JinjavaConfig.newBuilder()
        .withTrimBlocks(true)
        .withLstripBlocks(true)
        .withElResolver(resolver)
        .withLegacyOverrides(jinja2)
        .build();
    Jinjava jinjava = new Jinjava(config);
    jinjava.getGlobalContext().registerTag(new GenerationTag());
    jinjava.getGlobalContext().registerFilter(new LoopConditionFilter());
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
        "", "raise_exception", Jinja2Environment.class, "raiseException", String.class));
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
        "", "strftime_now", Jinja2Environment.class, "strftimeNow", String.class));
    return jinjava;
  }

  /**
   * Rewrites what Jinjava would parse differently from Jinja2: filtered for-loops (conditions are
   * appended to {@code loopConditions}) and {@code not a == b}, which Jinja2 reads as
   * {@code not (a == b)} while Jinjava binds {@code not} to {@code a}.
   */
  static String prepare(String source, List<LoopConditionFilter.Condition> loopConditions) {
    Matcher tag = TAG.matcher(LoopConditionFilter.rewrite(source, loopConditions));
    StringBuilder out = new StringBuilder();
    while (tag.find()) {
      String fixed = NOT_COMPARISON.matcher(tag.group()).replaceAll("not ($1 $2 $3)");
      tag.appendReplacement(out, Matcher.quoteReplacement(fixed));
    }
    return tag.appendTail(out).toString();
  }

  /**
   * Renders a prepared source. {@code raise_exception} and fatal template errors become
   * {@link IllegalArgumentException}s naming the template.
   */
  static String render(String templateName, String preparedSource, Map<String, Object> context) {
    RAISED.remove();
    RenderResult result;
    try {
      result = JINJA.renderForResult(preparedSource, context);
    } finally {
      String raised = RAISED.get();
      RAISED.remove();
      if (raised != null) {
        throw new IllegalArgumentException("chat template " + templateName + " rejected the conversation: "
            + raised);
      }
    }
    List<String> fatal = result.getErrors().stream()
        .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
        .map(e -> e.getMessage() + " (line " + e.getLineno() + ")")
        .toList();
    if (!fatal.isEmpty()) {
      throw new IllegalArgumentException("chat template " + templateName + " failed to render: " + fatal);
    }
    return result.getOutput();
  }

  /** Jinja's {@code raise_exception}: remembered and rethrown after rendering with its message. */
  public static String raiseException(String message) {
    RAISED.set(message);
    throw new IllegalStateException(message);
  }

  /** transformers' {@code strftime_now} for the directives chat templates use. */
  public static String strftimeNow(String format) {
    ZonedDateTime now = ZonedDateTime.now();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 == format.length()) {
        b.append(c);
        continue;
      }
      char d = format.charAt(++i);
      String pattern = switch (d) {
        case 'd' -> "dd"; case 'm' -> "MM"; case 'Y' -> "yyyy"; case 'y' -> "yy";
        case 'b' -> "MMM"; case 'B' -> "MMMM"; case 'a' -> "EEE"; case 'A' -> "EEEE";
        case 'H' -> "HH"; case 'M' -> "mm"; case 'S' -> "ss";
        default -> null;
      };
      b.append(pattern == null ? "%" + d : DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(now));
    }
    return b.toString();
  }
}
