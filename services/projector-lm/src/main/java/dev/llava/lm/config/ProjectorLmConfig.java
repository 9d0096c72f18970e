package dev.llava.lm.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Configuration of the projector-lm service ({@code llava.lm.*}). */
@ConfigMapping(prefix = "llava.lm")
public interface ProjectorLmConfig {

  /** HF checkpoint directory whose projector, tokenizer and language model are served. */
  Optional<String> modelDir();

  /** Name clients use in {@code ModelRef.name}. */
  @WithDefault("llava-demo")
  String modelName();

  /** Conversation template when the checkpoint has none: vicuna_v1, llava_v1, mistral_instruct, chatml_direct, plain. */
  @WithDefault("vicuna_v1")
  String defaultTemplate();

  /**
   * A Generate stream whose client reads nothing for this long while tokens wait is cancelled, freeing its batch
   * slot. On the unified HTTP/gRPC port this is also how a client cancel is noticed (Vert.x 4.5 does not report
   * it for server-streaming calls; the reset stream just stops being writable).
   */
  @WithDefault("30s")
  Duration stalledStreamTimeout();

  /** Continuous batching scheduler limits. */
  Scheduler scheduler();

  interface Scheduler {
    /** Sequences decoded together in one step. */
    @WithDefault("16")
    int maxRunningSequences();

    /**
     * KV-cache budget in tokens across all running sequences; each reserves prompt + max_new_tokens at
     * admission. A request larger than the whole budget is INVALID_ARGUMENT.
     */
    @WithDefault("65536")
    int kvCacheTokenBudget();

    /** Sequences that may wait for admission; beyond this Generate answers RESOURCE_EXHAUSTED. */
    @WithDefault("64")
    int maxWaitingSequences();

    /**
     * Prompt tokens prefilled per scheduler iteration across all prefilling sequences, oldest first (chunked
     * prefill: each iteration also runs one decode step, so decode latency stays flat while prompts arrive).
     */
    @WithDefault("512")
    int prefillChunkTokens();

    /** max_new_tokens of a request that leaves it 0. */
    @WithDefault("256")
    int defaultMaxNewTokens();

    /** Largest max_new_tokens a request may ask for; more is INVALID_ARGUMENT. */
    @WithDefault("2048")
    int maxNewTokensLimit();
  }
}
