package dev.llava.model.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One entry of a LLaVA conversation file.
 *
 * @param id the record's id (the reader substitutes {@code "#<index>"} when a file has none)
 * @param image image path relative to the image folder, or {@code null} for a text-only record
 * @param conversations alternating human/gpt turns, starting with human
 * @param meta extra fields under {@code "meta"} (this project's {@code types} and {@code scene}),
 *     or {@code null}; LLaVA's own loaders ignore it
 */
public record LlavaRecord(String id, String image, List<Turn> conversations, JsonNode meta) {
  public static final String IMAGE_MARKER = "<image>";

  public LlavaRecord {
    conversations = List.copyOf(conversations);
  }

  public boolean hasImage() {
    return image != null;
  }

  /** How many {@code <image>} markers {@code text} holds. */
  public static int imageMarkers(String text) {
    int count = 0;
    for (int at = text.indexOf(IMAGE_MARKER); at >= 0; at = text.indexOf(IMAGE_MARKER, at + IMAGE_MARKER.length())) {
      count++;
    }
    return count;
  }

  /** A turn's text without its {@code <image>} marker(s), trimmed: what the turn says besides the image. */
  public static String withoutImageMarker(String text) {
    return text.replace(IMAGE_MARKER, "").strip();
  }
}
