package dev.llava.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChoiceLetterExtractorTest {

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(delimiter = '|', value = {
      "B|B",
      "B.|B",
      " C |C",
      "(B) blue|B",
      "(D)|D",
      "B. blue|B",
      "The answer is B|B",
      "The answer is C.|C",
      "The answer is (A) red.|A",
      "I think it is D, blue.|D",
      "Option C: green|C",
      "c|-",
      "blue|-",
      "a blue square|-",
  })
  void findsTheChosenLetterAmongFourOptions(String prediction, String expected) {
    Optional<Character> letter = ChoiceLetterExtractor.extract(prediction, 4);
    assertEquals(expected.equals("-") ? Optional.empty() : Optional.of(expected.charAt(0)), letter);
  }

  @Test
  void newlineReadsAsSentenceBreak() {
    assertEquals(Optional.of('A'), ChoiceLetterExtractor.extract("A\nbecause it is red", 4));
  }

  @Test
  void ignoresLettersBeyondTheOfferedOptions() {
    assertEquals(Optional.empty(), ChoiceLetterExtractor.extract("D", 3));
    assertEquals(Optional.of('B'), ChoiceLetterExtractor.extract("Not D but B", 3));
  }

  @Test
  void rejectsImpossibleOptionCounts() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ChoiceLetterExtractor.extract("A", 0));
    assertEquals("option count must be 1..26, got 0", e.getMessage());
  }
}
