package dev.llava.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.llava.model.Fixtures;
import dev.llava.model.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SamplerTest {
  private static final float NEG_INF = Float.NEGATIVE_INFINITY;

  private static SamplingParams.Builder sampling() {
    return SamplingParams.builder().temperature(1f).maxNewTokens(16);
  }

  /** log of probabilities, so softmax gives them back. */
  private static float[] logitsOf(double... probs) {
    float[] l = new float[probs.length];
    for (int i = 0; i < probs.length; i++) {
      l[i] = (float) Math.log(probs[i]);
    }
    return l;
  }

  @Test
  void greedyTakesTheFirstMaximumLikeTorchArgmax() {
    Sampler greedy = new Sampler(SamplingParams.greedy(8, Set.of()), new long[0]);
    assertEquals(1, greedy.next(new float[] {1f, 3f, 3f, 2f}));
    assertEquals(3, greedy.next(new float[] {-5f, -4f, -3f, -1f}));
    assertEquals(2, Sampler.argmax(new float[] {1f, 3f, Float.NaN, 9f}));
  }

  @Test
  void greedyOnFixtureLogitsGivesTheFirstReferenceToken() throws IOException {
    for (Path dir : List.of(Fixtures.llava15(), Fixtures.llavaNext())) {
      Npy.Array logits = Npy.read(dir.resolve("expected/logits.npy")); // [1, L, vocab]
      int positions = (int) logits.shape()[1];
      int vocab = (int) logits.shape()[2];
      float[] all = logits.toFloats();
      float[] last = Arrays.copyOfRange(all, (positions - 1) * vocab, positions * vocab);
      long[] greedyIds = Npy.read(dir.resolve("expected/greedy_ids.npy")).toLongs();
      long[] prompt = Npy.read(dir.resolve("expected/input_ids.npy")).toLongs();
      Sampler greedy = new Sampler(SamplingParams.greedy(8, Set.of(2L)), prompt);
      assertEquals(greedyIds[0], greedy.next(last), dir.toString());
    }
  }

  @Test
  void topKOfOneIsGreedyForEverySeed() {
    Random r = new Random(7);
    for (int trial = 0; trial < 50; trial++) {
      float[] logits = new float[1000];
      for (int i = 0; i < logits.length; i++) {
        logits[i] = (float) r.nextGaussian() * 3;
      }
      int expected = Sampler.argmax(logits);
      Sampler topK1 = new Sampler(sampling().topK(1).temperature(1.7f).seed(trial).build(), new long[0]);
      assertEquals(expected, topK1.next(logits));
    }
  }

  @Test
  void sameSeedSameTokensDifferentSeedDifferentTokens() {
    float[] logits = new float[64]; // uniform: every draw is a fresh coin
    int[] a = draws(sampling().seed(42).build(), logits, 40);
    int[] b = draws(sampling().seed(42).build(), logits, 40);
    int[] c = draws(sampling().seed(43).build(), logits, 40);
    assertArrayEquals(a, b);
    assertNotEquals(Arrays.toString(a), Arrays.toString(c));
  }

  private static int[] draws(SamplingParams p, float[] logits, int n) {
    Sampler s = new Sampler(p, new long[0]);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = s.next(logits);
    }
    return out;
  }

  @Test
  void samplingFollowsTheDistribution() {
    Sampler s = new Sampler(sampling().seed(1).build(), new long[0]);
    float[] logits = logitsOf(0.7, 0.2, 0.1);
    int[] counts = new int[3];
    for (int i = 0; i < 20000; i++) {
      counts[s.next(logits)]++;
    }
    assertEquals(0.7, counts[0] / 20000.0, 0.015);
    assertEquals(0.2, counts[1] / 20000.0, 0.015);
    assertEquals(0.1, counts[2] / 20000.0, 0.015);
  }

  @Test
  void topPKeepsTheSmallestNucleusReachingP() {
    float[] probs075 = logitsOf(0.3, 0.05, 0.5, 0.15);
    Sampler.applyTopP(probs075, 0.75f); // 0.5 + 0.3 = 0.8 >= 0.75; 0.5 alone is not enough
    assertEquals(Set.of(0, 2), kept(probs075));

    float[] probs085 = logitsOf(0.3, 0.05, 0.5, 0.15);
    Sampler.applyTopP(probs085, 0.85f);
    assertEquals(Set.of(0, 2, 3), kept(probs085));

    float[] probs045 = logitsOf(0.3, 0.05, 0.5, 0.15);
    Sampler.applyTopP(probs045, 0.45f);
    assertEquals(Set.of(2), kept(probs045));

    Sampler s = new Sampler(sampling().topP(0.75f).seed(3).build(), new long[0]);
    Set<Integer> drawn = new TreeSet<>();
    for (int i = 0; i < 2000; i++) {
      drawn.add(s.next(logitsOf(0.3, 0.05, 0.5, 0.15)));
    }
    assertEquals(Set.of(0, 2), drawn);
  }

  @Test
  void topKKeepsTiesWithTheKthValueLikeHf() {
    float[] scores = {1f, 5f, 3f, 3f, 0f};
    Sampler.applyTopK(scores, 2);
    assertArrayEquals(new float[] {NEG_INF, 5f, 3f, 3f, NEG_INF}, scores);
  }

  @Test
  void minPDropsTokensBelowAFractionOfTheTopProbability() {
    float[] scores = logitsOf(0.5, 0.3, 0.15, 0.05);
    Sampler.applyMinP(scores, 0.2f); // threshold 0.1
    assertEquals(Set.of(0, 1, 2), kept(scores));
  }

  @Test
  void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenIds() {
    float[] scores = {2.0f, -1.0f, 0.5f, 3.0f};
    BitSet seen = new BitSet();
    seen.set(0);
    seen.set(1);
    seen.set(99); // beyond the vocabulary: ignored
    Sampler.applyRepetitionPenalty(scores, seen, 2.0f);
    assertArrayEquals(new float[] {1.0f, -2.0f, 0.5f, 3.0f}, scores);
  }

  @Test
  void repetitionPenaltyCountsPromptAndGeneratedIdsInGreedyDecoding() {
    SamplingParams p = SamplingParams.builder().repetitionPenalty(2f).maxNewTokens(4).build();
    Sampler s = new Sampler(p, new long[] {0});
    float[] logits = {4.0f, 3.0f, 2.5f};
    assertEquals(1, s.next(logits)); // 4/2 = 2 < 3
    assertEquals(2, s.next(logits)); // 3/2 = 1.5 < 2.5
    assertEquals(0, s.next(logits)); // all seen now: 2, 1.5, 1.25
  }

  @Test
  void temperatureScalesLogits() {
    float[] scores = {1f, -2f};
    Sampler.applyTemperature(scores, 0.5f);
    assertArrayEquals(new float[] {2f, -4f}, scores);
  }

  private static Set<Integer> kept(float[] scores) {
    Set<Integer> kept = new TreeSet<>();
    for (int i = 0; i < scores.length; i++) {
      if (scores[i] != NEG_INF) {
        kept.add(i);
      }
    }
    return kept;
  }
}
