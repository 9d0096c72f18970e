package dev.llava.model.text;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python {@code str} methods for Jinjava: HF chat templates are written for Python's Jinja2, where
 * {@code message['role'].upper()} or {@code content.strip()} call Python string methods; Jinjava
 * would look for Java methods of those names and fail. Only method calls on strings are handled
 * here; everything else falls through to Jinjava's own resolver.
 */
final class PythonStringMethods extends ELResolver {

  @Override
  public Object invoke(ELContext context, Object base, Object method, Class<?>[] types, Object[] params) {
    if (!(base instanceof String s) || !(method instanceof String name)) {
      return null;
    }
    Object[] args = params == null ? new Object[0] : params;
    Object result = call(s, name, args);
    if (result != NOT_HANDLED) {
      context.setPropertyResolved(true);
      return result;
    }
    return null;
  }

  private static final Object NOT_HANDLED = new Object();

  private static Object call(String s, String name, Object[] args) {
    return switch (name) {
      case "upper" -> s.toUpperCase(Locale.ROOT);
      case "lower" -> s.toLowerCase(Locale.ROOT);
      case "strip" -> args.length == 0 ? s.strip() : stripChars(s, str(args[0]), true, true);
      case "lstrip" -> args.length == 0 ? s.stripLeading() : stripChars(s, str(args[0]), true, false);
      case "rstrip" -> args.length == 0 ? s.stripTrailing() : stripChars(s, str(args[0]), false, true);
      case "startswith" -> anyMatch(args[0], s::startsWith);
      case "endswith" -> anyMatch(args[0], s::endsWith);
      case "title" -> title(s);
      case "capitalize" -> s.isEmpty() ? s
          : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
      case "split" -> split(s, args);
      case "join" -> join(s, args[0]);
      case "count" -> count(s, str(args[0]));
      case "find" -> s.indexOf(str(args[0]));
      case "replace" -> args.length >= 3 ? replace(s, str(args[0]), str(args[1]), ((Number) args[2]).intValue())
          : s.replace(str(args[0]), str(args[1]));
      default -> NOT_HANDLED;
    };
  }

  private static String str(Object o) {
    return o == null ? "None" : o.toString();
  }

  private static boolean anyMatch(Object arg, java.util.function.Predicate<String> test) {
    if (arg instanceof Iterable<?> options) {
      for (Object o : options) {
        if (test.test(str(o))) {
          return true;
        }
      }
      return false;
    }
    return test.test(str(arg));
  }

  private static String stripChars(String s, String chars, boolean left, boolean right) {
    int start = 0;
    int end = s.length();
    while (left && start < end && chars.indexOf(s.charAt(start)) >= 0) {
      start++;
    }
    while (right && end > start && chars.indexOf(s.charAt(end - 1)) >= 0) {
      end--;
    }
    return s.substring(start, end);
  }

  /** Python's str.title: a cased letter is upper-cased when the char before it is not a letter. */
  private static String title(String s) {
    StringBuilder b = new StringBuilder(s.length());
    boolean previousCased = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
      previousCased = Character.isLetter(c);
    }
    return b.toString();
  }

  /** Python's split: no separator splits on whitespace runs and drops empty pieces. */
  private static List<String> split(String s, Object[] args) {
    List<String> out = new ArrayList<>();
    if (args.length == 0 || args[0] == null) {
      for (String piece : s.strip().split("\\s+")) {
        if (!piece.isEmpty()) {
          out.add(piece);
        }
      }
      return out;
    }
    String sep = str(args[0]);
    int max = args.length > 1 ? ((Number) args[1]).intValue() : -1;
    int from = 0;
    int at;
    while ((max < 0 || out.size() < max) && (at = s.indexOf(sep, from)) >= 0) {
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  private static String join(String sep, Object items) {
    List<String> parts = new ArrayList<>();
    if (items instanceof Iterable<?> it) {
      it.forEach(o -> parts.add(str(o)));
    }
    return String.join(sep, parts);
  }

  private static int count(String s, String sub) {
    if (sub.isEmpty()) {
      return s.length() + 1;
    }
    int n = 0;
    for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
      n++;
    }
    return n;
  }

  private static String replace(String s, String old, String replacement, int max) {
    StringBuilder b = new StringBuilder();
    int from = 0;
    int done = 0;
    int at;
    while ((max < 0 || done < max) && !old.isEmpty() && (at = s.indexOf(old, from)) >= 0) {
      b.append(s, from, at).append(replacement);
      from = at + old.length();
      done++;
    }
    return b.append(s.substring(from)).toString();
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}
}
