package dev.llava.model.generate;

import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Picks the next token of one sequence from the last position's logits, in transformers' order:
 * repetition penalty, then (when sampling) temperature, top-k, top-p, min-p, then a multinomial
 * draw from the softmax. Greedy decoding applies the repetition penalty and takes the argmax (the
 * first maximum wins, as {@code torch.argmax}).
 *
 * <p>Each sampler owns its random generator, seeded from {@link SamplingParams#seed()}, and the set
 * of ids seen so far (prompt + generated), so results do not depend on batching. Not thread-safe:
 * one sampler per sequence.
 */
public final class Sampler {
  private final SamplingParams params;
  private final SplittableRandom random;
  private final BitSet seen = new BitSet();

  /** @param promptIds the prompt's ids (image tokens included, as HF's input_ids are) */
  public Sampler(SamplingParams params, long[] promptIds) {
    this.params = params;
    this.random = new SplittableRandom(params.seed());
    for (long id : promptIds) {
      observe(id);
    }
  }

  /** Records an id as part of the sequence (for the repetition penalty) without sampling it. */
  public void observe(long id) {
    if (id >= 0 && id <= Integer.MAX_VALUE) {
      seen.set((int) id);
    }
  }

  /** The next id for {@code logits} ({@code [vocab]}, not modified); the id is then recorded as seen. */
  public int next(float[] logits) {
    float[] scores = logits.clone();
    if (params.repetitionPenalty() != 1f) {
      applyRepetitionPenalty(scores, seen, params.repetitionPenalty());
    }
    int id;
    if (params.greedy()) {
      id = argmax(scores);
    } else {
      if (params.temperature() != 1f) {
        applyTemperature(scores, params.temperature());
      }
      if (params.topK() > 0) {
        applyTopK(scores, params.topK());
      }
      if (params.topP() < 1f) {
        applyTopP(scores, params.topP());
      }
      if (params.minP() > 0f) {
        applyMinP(scores, params.minP());
      }
      id = draw(softmax(scores));
    }
    seen.set(id);
    return id;
  }

  private int draw(float[] probs) {
    double total = 0;
    for (float p : probs) {
      total += p;
    }
    double u = random.nextDouble() * total;
    double cumulative = 0;
    int last = -1;
    for (int i = 0; i < probs.length; i++) {
      if (probs[i] > 0) {
        cumulative += probs[i];
        last = i;
        if (u < cumulative) {
          return i;
        }
      }
    }
    return last; // rounding left u just above the final sum
  }

  /** Index of the largest value; the first one on ties; a NaN counts as largest (torch.argmax). */
  public static int argmax(float[] scores) {
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (Float.isNaN(scores[best])) {
        return best;
      }
      if (scores[i] > scores[best] || Float.isNaN(scores[i])) {
        best = i;
      }
    }
    return best;
  }

  /** HF RepetitionPenaltyLogitsProcessor: seen ids' logits are divided (if > 0) or multiplied by penalty. */
  public static void applyRepetitionPenalty(float[] scores, BitSet seenIds, float penalty) {
    for (int id = seenIds.nextSetBit(0); id >= 0 && id < scores.length; id = seenIds.nextSetBit(id + 1)) {
      float s = scores[id];
      scores[id] = s < 0 ? s * penalty : s / penalty;
    }
  }

  public static void applyTemperature(float[] scores, float temperature) {
    for (int i = 0; i < scores.length; i++) {
      scores[i] /= temperature;
    }
  }

  /** HF TopKLogitsWarper: everything below the k-th largest value becomes -inf (ties with it stay). */
  public static void applyTopK(float[] scores, int k) {
    if (k >= scores.length) {
      return;
    }
    float[] sorted = scores.clone();
    Arrays.sort(sorted);
    float kth = sorted[sorted.length - k];
    for (int i = 0; i < scores.length; i++) {
      if (scores[i] < kth) {
        scores[i] = Float.NEGATIVE_INFINITY;
      }
    }
  }

  /**
   * HF TopPLogitsWarper: sort ascending, accumulate probabilities, drop every token whose cumulative
   * probability is {@code <= 1 - top_p}, always keep the most likely one. What remains is the
   * smallest set of most likely tokens whose probability reaches top_p.
   */
  public static void applyTopP(float[] scores, float topP) {
    int[] order = ascendingOrder(scores);
    float[] probs = softmax(scores);
    float threshold = (float) (1.0 - topP);
    double cumulative = 0;
    for (int r = 0; r < order.length - 1; r++) {
      cumulative += probs[order[r]];
      if ((float) cumulative > threshold) {
        break;
      }
      scores[order[r]] = Float.NEGATIVE_INFINITY;
    }
  }

  /** HF MinPLogitsWarper: drop tokens with probability below min_p times the largest probability. */
  public static void applyMinP(float[] scores, float minP) {
    float[] probs = softmax(scores);
    float top = 0;
    for (float p : probs) {
      top = Math.max(top, p);
    }
    float threshold = minP * top;
    for (int i = 0; i < scores.length; i++) {
      if (probs[i] < threshold) {
        scores[i] = Float.NEGATIVE_INFINITY;
      }
    }
  }

  /** Softmax over {@code [vocab]}; -inf scores get probability 0. */
  public static float[] softmax(float[] scores) {
    float max = Float.NEGATIVE_INFINITY;
    for (float s : scores) {
      max = Math.max(max, s);
    }
    double[] exp = new double[scores.length];
    double sum = 0;
    for (int i = 0; i < scores.length; i++) {
      exp[i] = Math.exp((double) scores[i] - max);
      sum += exp[i];
    }
    float[] probs = new float[scores.length];
    for (int i = 0; i < scores.length; i++) {
      probs[i] = (float) (exp[i] / sum);
    }
    return probs;
  }

  /** Indices sorted by score ascending (ties by index), without boxing: score bits and index in a long. */
  private static int[] ascendingOrder(float[] scores) {
    long[] keys = new long[scores.length];
    for (int i = 0; i < scores.length; i++) {
      int bits = Float.floatToIntBits(scores[i]);
      int sortable = bits ^ ((bits >> 31) & 0x7fffffff); // signed-int order == float order
      keys[i] = ((long) sortable << 32) | i;
    }
    Arrays.sort(keys);
    int[] order = new int[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = (int) keys[i];
    }
    return order;
  }
}
