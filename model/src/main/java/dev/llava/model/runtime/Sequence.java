package dev.llava.model.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.llava.model.generate.FinishReason;
import dev.llava.model.generate.Sampler;
import dev.llava.model.generate.SamplingParams;
import dev.llava.model.generate.StopChecker;
import dev.llava.model.generate.StreamingDetokenizer;
import dev.llava.model.nn.KvCache;
import dev.llava.model.nn.LlavaModel;
import dev.llava.model.text.LlavaTokenizer;

/**
 * One generation request as the scheduler sees it: prompt embeddings waiting to be prefilled (possibly in
 * chunks), its own KV cache, and the per-sequence sampler, stop checker and detokenizer.
 *
 * <p>Life cycle: PREFILL (chunks of the prompt run through the model) -> DECODE (one token per step, in a
 * batch with other sequences) -> FINISHED. Native memory (embeddings, cache) is freed when it finishes.
 */
public final class Sequence implements AutoCloseable {
  public enum State { PREFILL, DECODE, FINISHED }

  private final String id;
  private final long[] promptIds;
  private final NDManager manager;
  private NDArray promptEmbeds; // [promptLength, hidden], freed once prefilled
  private final KvCache cache;
  private final Sampler sampler;
  private final StopChecker stop;
  private final StreamingDetokenizer detokenizer;
  private final TokenSink sink;
  private final int maxContext;
  private final int imageTokens;
  private final int maxNewTokens;
  private State state = State.PREFILL;
  private int prefilled;
  private long lastToken = -1;
  private long[] sampledIds = new long[16];
  private int sampledCount;

  /**
   * @param promptEmbeds [promptIds.length, hidden]; the sequence takes ownership
   * @param maxContext prompt + generated tokens may not exceed this (the model's max positions)
   */
  Sequence(String id, long[] promptIds, int imageTokens, NDArray promptEmbeds, LlavaModel model,
      SamplingParams params, LlavaTokenizer tokenizer, TokenSink sink, int maxContext) {
    if (promptIds.length == 0) {
      throw new IllegalArgumentException("a prompt needs at least one token");
    }
    if (promptIds.length >= maxContext) {
      throw new IllegalArgumentException("prompt has " + promptIds.length + " tokens, the model's context is "
          + maxContext + " (at least one must remain for the answer)");
    }
    this.id = id;
    this.promptIds = promptIds;
    this.imageTokens = imageTokens;
    this.maxNewTokens = params.maxNewTokens();
    // the sequence owns its embeddings, whatever manager the caller created them in
    this.manager = NDManager.newBaseManager(promptEmbeds.getDevice());
    promptEmbeds.attach(manager);
    this.promptEmbeds = promptEmbeds;
    this.cache = model.newCache(Math.min(maxContext, promptIds.length + params.maxNewTokens()));
    this.sampler = new Sampler(params, promptIds);
    this.stop = StopChecker.of(params);
    this.detokenizer = new StreamingDetokenizer(tokenizer, true);
    this.sink = sink;
    this.maxContext = maxContext;
  }

  public String id() {
    return id;
  }

  public State state() {
    return state;
  }

  public int promptLength() {
    return promptIds.length;
  }

  public int imageTokens() {
    return imageTokens;
  }

  /** Prompt tokens not yet run through the model. */
  public int pendingPrefill() {
    return state == State.PREFILL ? promptIds.length - prefilled : 0;
  }

  public int generated() {
    return stop.generatedTokens();
  }

  /** Every sampled id so far, in order (a final EOS included). */
  public long[] generatedIds() {
    return java.util.Arrays.copyOf(sampledIds, sampledCount);
  }

  /** Tokens held in this sequence's KV cache. */
  public int contextLength() {
    return cache.length();
  }

  /** KV cache tokens this sequence may need at most: prompt + max_new_tokens, bounded by the context. */
  public int maxTokens() {
    return Math.min(maxContext, promptIds.length + maxNewTokens);
  }

  KvCache cache() {
    return cache;
  }

  long lastToken() {
    return lastToken;
  }

  /**
   * Runs up to {@code maxTokens} more prompt tokens through the model. When the prompt is complete the first
   * token is sampled and the sequence moves to DECODE (or FINISHED). Returns the prompt tokens processed.
   */
  public int prefillStep(LlavaModel model, int maxTokens) {
    if (state != State.PREFILL) {
      throw new IllegalStateException("sequence " + id + " is " + state + ", not prefilling");
    }
    int n = Math.min(maxTokens, promptIds.length - prefilled);
    boolean last = prefilled + n == promptIds.length;
    try (NDManager scope = manager.newSubManager()) {
      NDArray chunk = promptEmbeds.get(new NDIndex(prefilled + ":" + (prefilled + n)));
      chunk.attach(scope);
      NDArray logits = model.prefill(chunk, cache, false); // [1, vocab] for the chunk's last position
      prefilled += n;
      if (last) {
        float[] row = logits.toFloatArray();
        promptEmbeds.close();
        promptEmbeds = null;
        state = State.DECODE;
        accept(row);
      }
    }
    return n;
  }

  /** Samples the next token from {@code logits} [vocab] and emits its text; may finish the sequence. */
  void accept(float[] logits) {
    long token = sampler.next(logits);
    lastToken = token;
    if (sampledCount == sampledIds.length) {
      sampledIds = java.util.Arrays.copyOf(sampledIds, sampledCount * 2);
    }
    sampledIds[sampledCount++] = token;
    String text = detokenizer.add(token);
    StopChecker.Step step = stop.accept(token, text);
    if (step.finished()) {
      String tail = step.text();
      if (step.finishReason() == FinishReason.LENGTH) {
        tail += detokenizer.flush(); // a character cut by the length limit is still released
      }
      finish(step.finishReason(), tail);
      return;
    }
    sink.onToken(token, step.text());
    if (cache.length() + 1 >= maxContext) {
      finish(FinishReason.LENGTH, stop.cancel().text() + detokenizer.flush());
    }
  }

  /** Ends the sequence now (client cancelled or deadline); frees its memory. */
  public void cancel() {
    if (state != State.FINISHED) {
      finish(FinishReason.CANCELLED, stop.cancel().text());
    }
  }

  private void finish(FinishReason reason, String tail) {
    state = State.FINISHED;
    close();
    sink.onFinish(reason, tail, promptIds.length, stop.generatedTokens());
  }

  public boolean finished() {
    return state == State.FINISHED;
  }

  @Override
  public void close() {
    cache.close();
    manager.close();
  }
}
