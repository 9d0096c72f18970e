package dev.llava.engine.lm;

import dev.llava.model.generate.SamplingParams;
import dev.llava.proto.v1.StoppingCriteria;
import java.util.Set;

/**
 * Proto {@code SamplingParams} + {@code StoppingCriteria} to the model's {@link SamplingParams}. Proto zeros
 * mean "unset": temperature 0 is greedy, top_p and repetition_penalty 0 are off (1), max_new_tokens 0 takes the
 * server default. Out-of-range values fail with the model's own messages (INVALID_ARGUMENT).
 */
final class SamplingMapper {
  private final LmEngineConfig config;

  SamplingMapper(LmEngineConfig config) {
    this.config = config;
  }

  SamplingParams map(dev.llava.proto.v1.SamplingParams sampling, StoppingCriteria stopping, Set<Long> eosIds) {
    int maxNew = stopping.getMaxNewTokens();
    if (maxNew < 0) {
      throw new IllegalArgumentException("stopping.max_new_tokens must be >= 0 (0 = server default "
          + config.defaultMaxNewTokens() + "), got " + maxNew);
    }
    if (maxNew == 0) {
      maxNew = config.defaultMaxNewTokens();
    }
    if (maxNew > config.maxNewTokensLimit()) {
      throw new IllegalArgumentException("stopping.max_new_tokens " + maxNew + " exceeds this server's limit of "
          + config.maxNewTokensLimit());
    }
    SamplingParams.Builder b = SamplingParams.builder()
        .temperature(sampling.getTemperature())
        .topK(sampling.getTopK())
        .topP(sampling.getTopP() == 0 ? 1 : sampling.getTopP())
        .repetitionPenalty(sampling.getRepetitionPenalty() == 0 ? 1 : sampling.getRepetitionPenalty())
        .maxNewTokens(maxNew)
        .stopStrings(stopping.getStopList())
        .stopTokenIds(stopping.getIgnoreEos() ? Set.of() : eosIds);
    if (sampling.hasSeed()) {
      b.seed(sampling.getSeed());
    }
    return b.build();
  }
}
