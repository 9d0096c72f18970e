package dev.llava.model.data;

import java.util.Locale;

/** Why {@link LlavaConversationDataset} skipped a record; {@link #id()} is the key in the report. */
public enum BadRecordReason {
  /** Not a JSON object, {@code conversations} missing or not an array, a turn without string from/value, a non-string image. */
  MALFORMED_RECORD,
  /** {@code conversations} is an empty array. */
  EMPTY_CONVERSATION,
  /** A turn's {@code from} is neither "human" nor "gpt". */
  UNKNOWN_ROLE,
  /** Turns must go human, gpt, human, gpt, ... and end with gpt. */
  NON_ALTERNATING_TURNS,
  /** A text-only record (no {@code image}) whose turns contain {@code <image>}. */
  IMAGE_MARKER_WITHOUT_IMAGE,
  /** An image record with more than one {@code <image>} marker (one image per record is supported). */
  MULTIPLE_IMAGE_MARKERS,
  /** An {@code <image>} marker inside a gpt turn. */
  IMAGE_MARKER_IN_GPT_TURN,
  /** An image record without any marker, when the reader is told not to repair it. */
  IMAGE_WITHOUT_MARKER,
  /** The {@code image} file does not exist under the image folder. */
  MISSING_IMAGE_FILE;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
