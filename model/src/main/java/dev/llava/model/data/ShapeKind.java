package dev.llava.model.data;

import java.util.Locale;

/** The three shapes the synthetic dataset draws; {@link #word()} is the answer the model must give. */
public enum ShapeKind {
  CIRCLE,
  SQUARE,
  TRIANGLE;

  /** Lower-case English noun used in questions and answers ("circle"). */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Plural noun ("circles") for counting questions. */
  public String plural() {
    return word() + "s";
  }

  public static ShapeKind fromWord(String word) {
    for (ShapeKind kind : values()) {
      if (kind.word().equals(word)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown shape '" + word + "', expected one of circle, square, triangle");
  }
}
