package dev.llava.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden values produced by running LLaVA's {@code EvalAIAnswerProcessor} (llava/eval/m4c_evaluator.py)
 * in Python 3 on each input.
 */
class AnswerNormalizerTest {

  @ParameterizedTest(name = "[{0}] -> [{1}]")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', emptyValue = "", value = {
      "Two.|2",
      "the red|red",
      "Yes!|yes",
      "Red|red",
      "'  The Circle.  '|circle",
      "A blue square|blue square",
      "an apple|apple",
      "None|0",
      "ten|10",
      "ONE|1",
      "3.5|3.5",
      "1,000|1000",
      "3.|3",
      "1.5.|1.5",
      "e.g. left|eg left",
      "The poster shows a 10% discount.|poster shows 10% discount",
      "dont know|don't know",
      "whats that?|what's that",
      "Im here|im here",
      "somebody'd|somebodyd",
      "left-hand|left hand",
      "left - hand|left hand",
      "(B) blue|b blue",
      "blue/green|blue green",
      "yes, it is|yes it is",
      "dog's toy|dog 's toy",
      "It's red|it 's red",
      "\"red\"|red",
      "!!!|''",
      "''|''",
      "a.b.c|abc",
      "@home|home",
      "x_y|x y",
      "...|''",
      "The answer is: two|answer is: 2",
      "center.|center",
  })
  void matchesLlavaReferenceProcessor(String input, String expected) {
    assertEquals(expected, AnswerNormalizer.normalize(input));
  }

  @Test
  void newlinesAndTabsAreSpaces() {
    assertEquals("4 circles", AnswerNormalizer.normalize("four\ncircles"));
    assertEquals("top left", AnswerNormalizer.normalize("top\tleft"));
    assertEquals("no", AnswerNormalizer.normalize("no.\n"));
  }

  @Test
  void deletesAtMostThirtyTwoPeriodsLikeTheReference() {
    // the reference passes re.UNICODE (32) as re.sub's count argument
    String input = "a.".repeat(40);
    String expected = "a".repeat(33) + ".a".repeat(7) + ".";
    assertEquals(expected, AnswerNormalizer.normalize(input));
  }
}
