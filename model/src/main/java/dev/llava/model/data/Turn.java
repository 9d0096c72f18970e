package dev.llava.model.data;

import java.util.Locale;

/**
 * One message of a LLaVA conversation: {@code {"from": "human"|"gpt", "value": "..."}}.
 *
 * @param from who speaks
 * @param value the text; the first human turn of an image record holds the {@code <image>} marker
 */
public record Turn(Role from, String value) {

  /** The two speakers LLaVA's data format knows. */
  public enum Role {
    HUMAN,
    GPT;

    /** The JSON spelling ("human", "gpt"). */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static Turn human(String value) {
    return new Turn(Role.HUMAN, value);
  }

  public static Turn gpt(String value) {
    return new Turn(Role.GPT, value);
  }
}
