package dev.llava.model.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One turn of a conversation, in the shape transformers' processors take: a role ({@code system},
 * {@code user}, {@code assistant}) and a list of text/image parts.
 */
public record ChatMessage(String role, List<ContentPart> content) {
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    if (role.isBlank()) {
      throw new IllegalArgumentException("message role must be non-empty (system, user or assistant)");
    }
    content = List.copyOf(content);
  }

  public static ChatMessage system(String text) {
    return new ChatMessage("system", List.of(ContentPart.text(text)));
  }

  public static ChatMessage user(String text) {
    return new ChatMessage("user", List.of(ContentPart.text(text)));
  }

  /** A user turn with {@code images} image slots first, then the text (LLaVA's usual layout). */
  public static ChatMessage userWithImages(int images, String text) {
    List<ContentPart> parts = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      parts.add(ContentPart.image());
    }
    parts.add(ContentPart.text(text));
    return new ChatMessage("user", parts);
  }

  public static ChatMessage assistant(String text) {
    return new ChatMessage("assistant", List.of(ContentPart.text(text)));
  }

  /** The text parts concatenated in order (image slots contribute nothing). */
  public String text() {
    StringBuilder b = new StringBuilder();
    for (ContentPart p : content) {
      if (p instanceof ContentPart.Text t) {
        b.append(t.text());
      }
    }
    return b.toString();
  }

  public int imageCount() {
    int n = 0;
    for (ContentPart p : content) {
      if (p instanceof ContentPart.Image) {
        n++;
      }
    }
    return n;
  }
}
