package dev.llava.model.runtime;

import dev.llava.model.generate.FinishReason;

/** Receives a sequence's output as it is produced (on the thread that steps the sequence). */
public interface TokenSink {
  /** New text (possibly empty while a multi-byte character or a possible stop string is held back). */
  void onToken(long tokenId, String text);

  /** The sequence ended; no further calls follow. */
  void onFinish(FinishReason reason, String trailingText, int promptTokens, int completionTokens);

  /** A sink that ignores everything. */
  TokenSink NONE = new TokenSink() {
    @Override
    public void onToken(long tokenId, String text) {}

    @Override
    public void onFinish(FinishReason reason, String trailingText, int promptTokens, int completionTokens) {}
  };
}
