package dev.llava.engine.lm;

/**
 * Receives one generation's output. Called on the scheduler thread, so implementations must not block: a slow
 * consumer buffers (see {@link GeneratorGrpcAdapter}). Exactly one of {@link #onFinished} or {@link #onFailed}
 * ends the stream.
 */
public interface GenerationListener {
  /** Newly stable text and the ids sampled since the last call (text may be empty while held back). */
  void onTokens(String text, long[] tokenIds);

  /** The last text and ids (a final EOS id included) and the accounting. */
  void onFinished(String text, long[] tokenIds, GenerationResult result);

  /** The generation could not run (bad features found late, a model error, shutdown). */
  void onFailed(RuntimeException error);
}
