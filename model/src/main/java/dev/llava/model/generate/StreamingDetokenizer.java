package dev.llava.model.generate;

import dev.llava.model.text.LlavaTokenizer;
import java.util.Arrays;

/**
 * Turns generated ids into text as they arrive without ever releasing a broken character.
 *
 * <p>Byte-fallback tokens ({@code <0xF0><0x9F><0x9A><0x80>} = 🚀) decode to U+FFFD until the last
 * byte arrives, so text is released only when it is stable, as vLLM's incremental detokenizer
 * does: decode the window {@code [prefixOffset, end)} and the shorter window
 * {@code [prefixOffset, readOffset)}; if the longer one adds text that does not end in U+FFFD, the
 * difference is released and both offsets move on. Decoding from the same start in both windows
 * keeps SentencePiece's rule of dropping the first token's leading space consistent, so the
 * released pieces concatenate to {@code tokenizer.decode(allIds, skipSpecialTokens)}.
 */
public final class StreamingDetokenizer {
  private static final char REPLACEMENT = '\uFFFD';

  private final LlavaTokenizer tokenizer;
  private final boolean skipSpecialTokens;
  private long[] ids = new long[64];
  private int size;
  private int prefixOffset;
  private int readOffset;
  private final StringBuilder released = new StringBuilder();

  public StreamingDetokenizer(LlavaTokenizer tokenizer, boolean skipSpecialTokens) {
    this.tokenizer = tokenizer;
    this.skipSpecialTokens = skipSpecialTokens;
  }

  /** Adds one generated id; returns the text it makes stable (often empty for partial characters). */
  public String add(long id) {
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, size * 2);
    }
    ids[size++] = id;
    String prefixText = decode(prefixOffset, readOffset);
    String newText = decode(prefixOffset, size);
    if (newText.length() > prefixText.length() && newText.charAt(newText.length() - 1) != REPLACEMENT
        && newText.startsWith(prefixText)) {
      String delta = newText.substring(prefixText.length());
      prefixOffset = readOffset;
      readOffset = size;
      released.append(delta);
      return delta;
    }
    return "";
  }

  /** Releases whatever is still held (at the end of generation), even an incomplete character. */
  public String flush() {
    String prefixText = decode(prefixOffset, readOffset);
    String newText = decode(prefixOffset, size);
    String delta = newText.startsWith(prefixText) ? newText.substring(prefixText.length()) : "";
    prefixOffset = readOffset;
    readOffset = size;
    released.append(delta);
    return delta;
  }

  /** All text released so far. */
  public String text() {
    return released.toString();
  }

  /** The ids added so far. */
  public long[] ids() {
    return Arrays.copyOf(ids, size);
  }

  private String decode(int from, int to) {
    return from == to ? "" : tokenizer.decode(Arrays.copyOfRange(ids, from, to), skipSpecialTokens);
  }
}
