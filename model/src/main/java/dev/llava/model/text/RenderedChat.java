package dev.llava.model.text;

import java.util.List;

/**
 * A conversation rendered to prompt text, with the spans the model should learn to produce: each
 * assistant answer including the separator that ends it (e.g. {@code "A cat.</s>"}), as LLaVA's
 * training masks do.
 */
public record RenderedChat(String text, List<TextSpan> assistantSpans) {
  public RenderedChat {
    assistantSpans = List.copyOf(assistantSpans);
    for (TextSpan s : assistantSpans) {
      if (s.end() > text.length()) {
        throw new IllegalArgumentException("assistant span " + s + " ends after the text (length "
            + text.length() + ")");
      }
    }
  }

  /** The text of every assistant span, in order (handy for checks and logs). */
  public List<String> assistantTexts() {
    return assistantSpans.stream().map(s -> text.substring(s.start(), s.end())).toList();
  }
}
