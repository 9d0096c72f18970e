package dev.llava.model.generate;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How to pick each next token and when to stop, with transformers' meanings.
 *
 * @param temperature 0 means greedy (argmax); values below 1e-5 are treated as 0 as vLLM does;
 *     allowed [0, 100]
 * @param topK keep the k highest logits (ties with the k-th are kept, as HF does); 0 = off
 * @param topP keep the smallest set of tokens whose probability reaches top_p; allowed (0, 1], 1 = off
 * @param minP drop tokens whose probability is below min_p times the top probability; [0, 1], 0 = off
 * @param repetitionPenalty HF's CTRL penalty on every id seen so far including the prompt: positive
 *     logits are divided by it, negative ones multiplied; allowed (0, 100], 1 = off
 * @param seed seeds this sequence's own random generator; same seed + same logits = same tokens
 * @param maxNewTokens at most this many generated tokens, >= 1
 * @param stopStrings generation ends before the first occurrence of any of these in the output
 *     text, which is never emitted; empty strings are not allowed
 * @param stopTokenIds ids that end generation (EOS ids), not emitted
 */
public record SamplingParams(
    float temperature,
    int topK,
    float topP,
    float minP,
    float repetitionPenalty,
    long seed,
    int maxNewTokens,
    List<String> stopStrings,
    Set<Long> stopTokenIds) {

  /** Below this a temperature means greedy decoding (vLLM's _SAMPLING_EPS). */
  public static final float GREEDY_EPSILON = 1e-5f;

  public SamplingParams {
    requireRange("temperature", temperature, 0, 100, "[0, 100] (0 = greedy)");
    if (topK < 0) {
      throw new IllegalArgumentException("top_k must be >= 0 (0 = off), got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top_p must be in (0, 1] (1 = off), got " + topP);
    }
    requireRange("min_p", minP, 0, 1, "[0, 1] (0 = off)");
    if (!(repetitionPenalty > 0 && repetitionPenalty <= 100)) {
      throw new IllegalArgumentException("repetition_penalty must be in (0, 100] (1 = off), got "
          + repetitionPenalty);
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("max_new_tokens must be >= 1, got " + maxNewTokens);
    }
    stopStrings = List.copyOf(stopStrings);
    for (int i = 0; i < stopStrings.size(); i++) {
      if (stopStrings.get(i).isEmpty()) {
        throw new IllegalArgumentException("stop string " + i + " is empty; stop strings must be non-empty");
      }
    }
    stopTokenIds = Set.copyOf(stopTokenIds);
    for (long id : stopTokenIds) {
      if (id < 0) {
        throw new IllegalArgumentException("stop token ids must be >= 0, got " + id);
      }
    }
  }

  private static void requireRange(String name, float value, float min, float max, String range) {
    if (!(value >= min && value <= max)) {
      throw new IllegalArgumentException(name + " must be in " + range + ", got " + value);
    }
  }

  public boolean greedy() {
    return temperature < GREEDY_EPSILON;
  }

  /** Greedy decoding (LLaVA's evaluation setting) with the given stop ids. */
  public static SamplingParams greedy(int maxNewTokens, Set<Long> stopTokenIds) {
    return builder().maxNewTokens(maxNewTokens).stopTokenIds(stopTokenIds).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
        .repetitionPenalty(repetitionPenalty).seed(seed).maxNewTokens(maxNewTokens)
        .stopStrings(stopStrings).stopTokenIds(stopTokenIds);
  }

  /**
   * Defaults: greedy, every filter off, 256 new tokens, no stops, and a seed drawn at random when
   * none is set (readable from the built params so a run can be repeated).
   */
  public static final class Builder {
    private float temperature = 0;
    private int topK = 0;
    private float topP = 1;
    private float minP = 0;
    private float repetitionPenalty = 1;
    private Long seed;
    private int maxNewTokens = 256;
    private List<String> stopStrings = new ArrayList<>();
    private Set<Long> stopTokenIds = new LinkedHashSet<>();

    public Builder temperature(float v) {
      temperature = v;
      return this;
    }

    public Builder topK(int v) {
      topK = v;
      return this;
    }

    public Builder topP(float v) {
      topP = v;
      return this;
    }

    public Builder minP(float v) {
      minP = v;
      return this;
    }

    public Builder repetitionPenalty(float v) {
      repetitionPenalty = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder maxNewTokens(int v) {
      maxNewTokens = v;
      return this;
    }

    public Builder stopStrings(List<String> v) {
      stopStrings = new ArrayList<>(v);
      return this;
    }

    public Builder stopTokenIds(Set<Long> v) {
      stopTokenIds = new LinkedHashSet<>(v);
      return this;
    }

    public SamplingParams build() {
      long s = seed != null ? seed : new SecureRandom().nextLong();
      return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, s, maxNewTokens,
          stopStrings, stopTokenIds);
    }
  }
}
