package dev.llava.model.data;

/** How an answer is scored; {@link #id()} is the key used in accuracy reports. */
public enum AnswerFormat {
  /** One word or number, scored by normalized exact match. */
  SHORT_ANSWER("short_answer"),
  /** A letter A-D, scored after extracting the letter from the model output. */
  MULTIPLE_CHOICE("multiple_choice"),
  /** Captions and descriptions: training targets, not scored by exact match. */
  FREE_TEXT("free_text");

  private final String id;

  AnswerFormat(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }
}
