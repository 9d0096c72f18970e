package dev.llava.model.text;

import java.util.Objects;

/** One piece of a chat message: text, or the place where an image goes (images bind by order). */
public sealed interface ContentPart permits ContentPart.Text, ContentPart.Image {

  static ContentPart text(String text) {
    return new Text(text);
  }

  static ContentPart image() {
    return new Image();
  }

  record Text(String text) implements ContentPart {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /** An image slot; the pixels travel separately and are matched to slots in prompt order. */
  record Image() implements ContentPart {}
}
