package dev.llava.model.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-side answer key: re-derives the answer to a generated question from the record's
 * {@code meta.scene} alone, by parsing the question text. Written independently of
 * {@link SceneQuestions}, so a wrong answer there cannot hide behind the same code.
 */
final class SceneAnswerOracle {
  record Obj(String shape, String color, String position) {}

  private static final String PHRASE = "(on the left|on the right|at the top|at the bottom|in the center)";
  private static final Pattern OPTION = Pattern.compile("^([A-D])\\. (.+)$");

  private final List<Obj> objects = new ArrayList<>();

  SceneAnswerOracle(JsonNode scene) {
    for (JsonNode o : scene.path("objects")) {
      objects.add(new Obj(o.path("shape").asText(), o.path("color").asText(), o.path("position").asText()));
    }
  }

  List<Obj> objects() {
    return objects;
  }

  /** The answer the gpt turn must hold for this human turn (marker already removed). */
  String answer(String humanText, String type) {
    List<String> lines = List.of(humanText.split("\n"));
    String question = lines.get(0);
    if (type.startsWith("mc_")) {
      String correct = bareAnswer(question);
      String letter = null;
      for (String line : lines.subList(1, lines.size() - 1)) {
        Matcher m = OPTION.matcher(line);
        if (!m.matches()) {
          throw new AssertionError("not an option line: " + line);
        }
        if (m.group(2).equals(correct)) {
          if (letter != null) {
            throw new AssertionError("correct answer offered twice in " + humanText);
          }
          letter = m.group(1);
        }
      }
      if (letter == null) {
        throw new AssertionError("correct answer '" + correct + "' not offered in " + humanText);
      }
      return letter;
    }
    if (type.equals("description")) {
      return null; // checked separately
    }
    return bareAnswer(question);
  }

  String bareAnswer(String q) {
    Matcher m;
    if ((m = match("What color is the object " + PHRASE + "\\?", q)) != null) {
      return in(m.group(1)).color();
    }
    if ((m = match("(?:What color is the|What is the color of the) (\\w+)\\?", q)) != null) {
      String shape = m.group(1);
      return only(o -> o.shape().equals(shape)).color();
    }
    if ((m = match("What shape is " + PHRASE + "\\?", q)) != null) {
      return in(m.group(1)).shape();
    }
    if ((m = match("(?:What shape is the (\\w+) object|Which shape is (\\w+))\\?", q)) != null) {
      String color = m.group(1) != null ? m.group(1) : m.group(2);
      return only(o -> o.color().equals(color)).shape();
    }
    if (q.equals("How many objects are there?") || q.equals("How many shapes are in the image?")) {
      return Integer.toString(objects.size());
    }
    if ((m = match("How many (\\w+) objects are there\\?", q)) != null) {
      String color = m.group(1);
      return Long.toString(objects.stream().filter(o -> o.color().equals(color)).count());
    }
    if ((m = match("How many (\\w+)s are there\\?", q)) != null) {
      String shape = m.group(1);
      return Long.toString(objects.stream().filter(o -> o.shape().equals(shape)).count());
    }
    if ((m = match("Where is the (\\w+) object\\?", q)) != null) {
      String color = m.group(1);
      return only(o -> o.color().equals(color)).position();
    }
    if ((m = match("Where is the (\\w+)(?: located)?\\?", q)) != null) {
      String shape = m.group(1);
      return only(o -> o.shape().equals(shape)).position();
    }
    if ((m = match("Where is the (\\w+) (\\w+)\\?", q)) != null) {
      String color = m.group(1);
      String shape = m.group(2);
      return only(o -> o.color().equals(color) && o.shape().equals(shape)).position();
    }
    if ((m = match("Is there a (\\w+) object\\?", q)) != null) {
      String color = m.group(1);
      return yes(objects.stream().anyMatch(o -> o.color().equals(color)));
    }
    if ((m = match("Is there a (\\w+) (\\w+)\\?", q)) != null) {
      String color = m.group(1);
      String shape = m.group(2);
      return yes(objects.stream().anyMatch(o -> o.color().equals(color) && o.shape().equals(shape)));
    }
    if ((m = match("Is there a (\\w+)\\?", q)) != null) {
      String shape = m.group(1);
      return yes(objects.stream().anyMatch(o -> o.shape().equals(shape)));
    }
    throw new AssertionError("oracle does not know the question: " + q);
  }

  private Obj in(String phrase) {
    String position = phrase.substring(phrase.lastIndexOf(' ') + 1);
    return only(o -> o.position().equals(position));
  }

  // the question is only fair when exactly one object matches
  private Obj only(Predicate<Obj> filter) {
    List<Obj> matching = objects.stream().filter(filter).toList();
    if (matching.size() != 1) {
      throw new AssertionError("ambiguous or impossible question: " + matching.size() + " objects match in " + objects);
    }
    return matching.get(0);
  }

  private static Matcher match(String regex, String text) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.matches() ? m : null;
  }

  private static String yes(boolean value) {
    return value ? "yes" : "no";
  }

  static String numberWord(int n) {
    return new String[] {"zero", "one", "two", "three", "four"}[n].toLowerCase(Locale.ROOT);
  }
}
