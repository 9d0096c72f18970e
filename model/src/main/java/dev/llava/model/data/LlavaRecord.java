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
}
