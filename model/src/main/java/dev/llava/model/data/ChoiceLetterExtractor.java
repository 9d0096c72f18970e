package dev.llava.model.data;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the option letter in a model's multiple-choice output, in the order LLaVA's ScienceQA
 * scorer ({@code llava/eval/eval_science_qa.py}) tries, with newlines read as ". " as it does:
 *
 * <ol>
 *   <li>the whole output is a letter ("B", also "B." or "(B)" here);
 *   <li>it starts with a letter and ". " ("B. blue");
 *   <li>it contains "The answer is B";
 *   <li>otherwise (MMBench-style fallback) the first standalone capital letter among the offered
 *       options: "(B) blue" -> B. Lower-case letters never count, so the article "a" is safe; a
 *       sentence starting with the article "A" is read as option A, as in the reference fallbacks.
 * </ol>
 *
 * Letters beyond the offered options ("D" with three options) are ignored.
 */
public final class ChoiceLetterExtractor {
  private static final Pattern BARE = Pattern.compile("^\\(?([A-Z])\\)?\\.?$");
  private static final Pattern LEADING = Pattern.compile("^([A-Z])\\. ");
  private static final Pattern THE_ANSWER_IS = Pattern.compile("The answer is \\(?([A-Z])\\b");
  private static final Pattern STANDALONE = Pattern.compile("(?<![A-Za-z0-9])([A-Z])(?![A-Za-z0-9])");

  private ChoiceLetterExtractor() {}

  /**
   * @param prediction raw model output
   * @param optionCount how many options (A, B, ...) the question offered, 1..26
   * @return the chosen letter, or empty when none of the offered letters can be found
   */
  public static Optional<Character> extract(String prediction, int optionCount) {
    if (optionCount < 1 || optionCount > 26) {
      throw new IllegalArgumentException("option count must be 1..26, got " + optionCount);
    }
    char last = (char) ('A' + optionCount - 1);
    String text = prediction.replace("\n", ". ").strip();
    for (Pattern pattern : new Pattern[] {BARE, LEADING, THE_ANSWER_IS}) {
      Matcher m = pattern.matcher(text);
      if (m.find() && m.group(1).charAt(0) <= last) {
        return Optional.of(m.group(1).charAt(0));
      }
    }
    Matcher standalone = STANDALONE.matcher(text);
    while (standalone.find()) {
      char letter = standalone.group(1).charAt(0);
      if (letter <= last) {
        return Optional.of(letter);
      }
    }
    return Optional.empty();
  }
}
