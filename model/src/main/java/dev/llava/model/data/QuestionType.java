package dev.llava.model.data;

/**
 * The kind of one question/answer pair. {@link #id()} is what the dataset stores per answer in
 * {@code meta.types}, so evaluation can report accuracy per type.
 */
public enum QuestionType {
  COLOR("color", AnswerFormat.SHORT_ANSWER),
  SHAPE("shape", AnswerFormat.SHORT_ANSWER),
  COUNT("count", AnswerFormat.SHORT_ANSWER),
  POSITION("position", AnswerFormat.SHORT_ANSWER),
  YES_NO("yes_no", AnswerFormat.SHORT_ANSWER),
  MC_COLOR("mc_color", AnswerFormat.MULTIPLE_CHOICE),
  MC_SHAPE("mc_shape", AnswerFormat.MULTIPLE_CHOICE),
  MC_COUNT("mc_count", AnswerFormat.MULTIPLE_CHOICE),
  MC_POSITION("mc_position", AnswerFormat.MULTIPLE_CHOICE),
  DESCRIPTION("description", AnswerFormat.FREE_TEXT),
  CAPTION("caption", AnswerFormat.FREE_TEXT),
  TEXT_ONLY("text_only", AnswerFormat.FREE_TEXT);

  private final String id;
  private final AnswerFormat format;

  QuestionType(String id, AnswerFormat format) {
    this.id = id;
    this.format = format;
  }

  public String id() {
    return id;
  }

  public AnswerFormat format() {
    return format;
  }

  public boolean scored() {
    return format != AnswerFormat.FREE_TEXT;
  }

  public static QuestionType fromId(String id) {
    for (QuestionType type : values()) {
      if (type.id.equals(id)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown question type '" + id + "'");
  }
}
