package dev.llava.lm.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
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

  /** Continuous batching scheduler limits. */
  Scheduler scheduler();

  interface Scheduler {
    /** Sequences decoded together in one step. */
    @WithDefault("16")
    int maxRunningSequences();

    /** KV-cache budget in tokens across all running sequences. */
    @WithDefault("65536")
    int kvCacheTokenBudget();

    /** Sequences that may wait for admission; beyond this Generate answers RESOURCE_EXHAUSTED. */
    @WithDefault("64")
    int maxWaitingSequences();

    /** Prompt tokens prefilled per step per sequence (chunked prefill keeps decode latency flat). */
    @WithDefault("512")
    int prefillChunkTokens();

    /** Default and upper bound of max_new_tokens. */
    @WithDefault("256")
    int defaultMaxNewTokens();

    @WithDefault("2048")
    int maxNewTokensLimit();
  }
}
