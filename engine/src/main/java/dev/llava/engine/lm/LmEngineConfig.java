package dev.llava.engine.lm;

/**
 * What the generation engine serves and how it schedules: the projector-lm service fills it from
 * {@code llava.lm.*}, tests and the benchmark build it directly.
 *
 * @param modelName the name clients put in {@code ModelRef.name}
 * @param defaultTemplate conversation template when the request names none and the checkpoint ships none
 * @param maxRunningSequences sequences decoded together in one step (the running batch)
 * @param kvCacheTokenBudget KV-cache tokens the running sequences may reserve together
 *     (each reserves prompt + max_new_tokens, bounded by the context)
 * @param maxWaitingSequences sequences that may wait for admission; one more is RESOURCE_EXHAUSTED
 * @param prefillChunkTokens prompt tokens prefilled per scheduler iteration, across all prefilling sequences
 * @param defaultMaxNewTokens max_new_tokens when a request leaves it 0
 * @param maxNewTokensLimit largest max_new_tokens a request may ask for
 */
public record LmEngineConfig(
    String modelName,
    String defaultTemplate,
    int maxRunningSequences,
    int kvCacheTokenBudget,
    int maxWaitingSequences,
    int prefillChunkTokens,
    int defaultMaxNewTokens,
    int maxNewTokensLimit) {

  public LmEngineConfig {
    if (modelName == null || modelName.isBlank()) {
      throw new IllegalArgumentException("model name must be non-empty");
    }
    requirePositive("max running sequences", maxRunningSequences);
    requirePositive("KV-cache token budget", kvCacheTokenBudget);
    requirePositive("prefill chunk tokens", prefillChunkTokens);
    requirePositive("default max new tokens", defaultMaxNewTokens);
    requirePositive("max new tokens limit", maxNewTokensLimit);
    if (maxWaitingSequences < 0) {
      throw new IllegalArgumentException("max waiting sequences must be >= 0, got " + maxWaitingSequences);
    }
    if (defaultMaxNewTokens > maxNewTokensLimit) {
      throw new IllegalArgumentException("default max new tokens " + defaultMaxNewTokens
          + " exceeds the limit " + maxNewTokensLimit);
    }
  }

  /** The service's documented defaults (README, {@code ProjectorLmConfig}). */
  public static LmEngineConfig defaults(String modelName) {
    return new LmEngineConfig(modelName, "vicuna_v1", 16, 65536, 64, 512, 256, 2048);
  }

  public LmEngineConfig withScheduler(int maxRunning, int kvBudget, int maxWaiting, int prefillChunk) {
    return new LmEngineConfig(modelName, defaultTemplate, maxRunning, kvBudget, maxWaiting, prefillChunk,
        defaultMaxNewTokens, maxNewTokensLimit);
  }

  private static void requirePositive(String what, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be >= 1, got " + value);
    }
  }
}
