package dev.llava.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplingParamsTest {

  private static String error(SamplingParams.Builder b) {
    return assertThrows(IllegalArgumentException.class, b::build).getMessage();
  }

  @Test
  void invalidValuesNameTheParameterTheRangeAndTheValue() {
    assertEquals("temperature must be in [0, 100] (0 = greedy), got -0.5",
        error(SamplingParams.builder().temperature(-0.5f)));
    assertEquals("top_k must be >= 0 (0 = off), got -1", error(SamplingParams.builder().topK(-1)));
    assertEquals("top_p must be in (0, 1] (1 = off), got 1.5", error(SamplingParams.builder().topP(1.5f)));
    assertEquals("top_p must be in (0, 1] (1 = off), got 0.0", error(SamplingParams.builder().topP(0f)));
    assertEquals("min_p must be in [0, 1] (0 = off), got NaN", error(SamplingParams.builder().minP(Float.NaN)));
    assertEquals("repetition_penalty must be in (0, 100] (1 = off), got 0.0",
        error(SamplingParams.builder().repetitionPenalty(0f)));
    assertEquals("max_new_tokens must be >= 1, got 0", error(SamplingParams.builder().maxNewTokens(0)));
    assertEquals("stop string 1 is empty; stop strings must be non-empty",
        error(SamplingParams.builder().stopStrings(List.of("</s>", ""))));
    assertEquals("stop token ids must be >= 0, got -2", error(SamplingParams.builder().stopTokenIds(Set.of(-2L))));
  }

  @Test
  void defaultsAreGreedyWithARecordedSeed() {
    SamplingParams p = SamplingParams.builder().build();
    assertTrue(p.greedy());
    assertEquals(p.seed(), p.toBuilder().build().seed());
    assertTrue(SamplingParams.builder().temperature(1e-6f).build().greedy());
    assertEquals(false, SamplingParams.builder().temperature(0.7f).build().greedy());
  }
}
