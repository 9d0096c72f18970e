package dev.llava.model.data;

import java.nio.file.Path;

/**
 * One held-out question, asked on its own (single-turn) whatever conversation it came from.
 *
 * @param id record id plus the answer's index ("test_000007#2")
 * @param image absolute or folder-resolved image file
 * @param question the human text without the {@code <image>} marker, including its answer-format
 *     suffix and, for multiple choice, the option lines
 * @param answer the gold gpt text (a word, a number or an option letter)
 * @param type what is asked; {@link QuestionType#format()} decides how it is scored
 * @param optionCount options offered (A.., 0 for short-answer questions)
 */
public record QuestionSample(String id, Path image, String question, String answer, QuestionType type,
    int optionCount) {

  /** The single-turn human message as LLaVA's eval scripts build it: {@code "<image>\n" + question}. */
  public String prompt() {
    return LlavaRecord.IMAGE_MARKER + "\n" + question;
  }
}
