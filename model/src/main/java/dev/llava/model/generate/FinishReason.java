package dev.llava.model.generate;

/** Why a sequence stopped producing tokens. */
public enum FinishReason {
  /** An EOS/stop token id or a stop string was produced. */
  STOP,
  /** {@code max_new_tokens} were generated. */
  LENGTH,
  /** The caller gave up on the request. */
  CANCELLED
}
