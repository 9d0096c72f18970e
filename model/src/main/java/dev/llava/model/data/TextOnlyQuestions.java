package dev.llava.model.data;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A handful of text-only facts (colour mixing, sides of shapes) mixed into train.json so the data
 * path for records without an image is exercised and the language model keeps answering plain text.
 */
public final class TextOnlyQuestions {
  // {first colour, second colour, mixture}
  private static final List<String[]> MIXTURES = List.of(
      new String[] {"blue", "yellow", "green"},
      new String[] {"red", "yellow", "orange"},
      new String[] {"red", "blue", "purple"},
      new String[] {"red", "white", "pink"},
      new String[] {"black", "white", "gray"});
  // {shape, sides}
  private static final List<String[]> SIDES = List.of(
      new String[] {"triangle", "three"},
      new String[] {"square", "four"});

  private TextOnlyQuestions() {}

  public static QaPair sample(RandomGenerator random) {
    if (random.nextDouble() < 0.7) {
      String[] mixture = MIXTURES.get(random.nextInt(MIXTURES.size()));
      boolean swap = random.nextBoolean();
      String first = swap ? mixture[1] : mixture[0];
      String second = swap ? mixture[0] : mixture[1];
      return new QaPair("What color do you get by mixing " + first + " and " + second + "?",
          "Mixing " + first + " and " + second + " gives " + mixture[2] + ".", QuestionType.TEXT_ONLY);
    }
    String[] sides = SIDES.get(random.nextInt(SIDES.size()));
    return new QaPair("How many sides does a " + sides[0] + " have?",
        "A " + sides[0] + " has " + sides[1] + " sides.", QuestionType.TEXT_ONLY);
  }
}
