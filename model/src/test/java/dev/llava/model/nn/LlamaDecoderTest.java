package dev.llava.model.nn;

import static dev.llava.model.nn.TensorAssertions.assertClose;
import static dev.llava.model.nn.TensorAssertions.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.config.TextConfig;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Decoder features the fixtures do not exercise (GQA, attention/MLP biases, Mistral's sliding
 * window, chunked prefill) against a plain double-precision reference.
 */
class LlamaDecoderTest {
  private static TextConfig text(String json) throws IOException {
    return LlavaConfig.parse("{\"model_type\": \"llava\", \"text_config\": " + json + "}").textConfig();
  }

  private static final String GQA_WITH_BIASES = "{\"model_type\": \"llama\", \"hidden_size\": 32, \"intermediate_size\": 48,"
      + " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"vocab_size\": 50,"
      + " \"attention_bias\": true, \"mlp_bias\": true, \"rms_norm_eps\": 1e-5}";
  private static final String MISTRAL_WINDOW_4 = "{\"model_type\": \"mistral\", \"hidden_size\": 32, \"intermediate_size\": 48,"
      + " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"num_key_value_heads\": 1, \"vocab_size\": 50,"
      + " \"sliding_window\": 4}";

  private static long[] tokens(int n, int vocab) {
    Random r = new Random(3);
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) ids[i] = r.nextInt(vocab);
    return ids;
  }

  private static float[] flatten(double[][] rows) {
    float[] out = new float[rows.length * rows[0].length];
    for (int i = 0; i < rows.length; i++) for (int j = 0; j < rows[i].length; j++) out[i * rows[i].length + j] = (float) rows[i][j];
    return out;
  }

  @Test
  void gqaWithBiasesMatchesPlainReference() throws IOException {
    checkAgainstReference(text(GQA_WITH_BIASES), 11);
  }

  @Test
  void slidingWindowMatchesPlainReference() throws IOException {
    checkAgainstReference(text(MISTRAL_WINDOW_4), 11);
  }

  private void checkAgainstReference(TextConfig c, int n) {
    try (NDManager m = NDManager.newBaseManager()) {
      LlavaWeights.Text w = RandomWeights.text(c, m, 11, 0.2f);
      long[] ids = tokens(n, c.vocabSize());
      float[] expected = flatten(new NaiveDecoderReference(c, w).forward(ids));
      try (LlamaDecoder decoder = new LlamaDecoder(c, w, m); KvCache cache = decoder.newCache(n, m)) {
        NDArray logits = decoder.prefill(decoder.embed(ids, m), cache, true);
        assertClose(c.modelType() + " prefill vs plain reference", expected, logits.toFloatArray(), 1e-4);
      }
    }
  }

  @Test
  void slidingWindowIsConsistentAcrossPrefillChunkedPrefillAndDecode() throws IOException {
    TextConfig c = text(MISTRAL_WINDOW_4);
    int n = 12;
    try (NDManager m = NDManager.newBaseManager()) {
      LlavaWeights.Text w = RandomWeights.text(c, m, 5, 0.2f);
      long[] ids = tokens(n, c.vocabSize());
      try (LlamaDecoder decoder = new LlamaDecoder(c, w, m)) {
        float[] whole;
        try (KvCache cache = decoder.newCache(n, m)) {
          whole = decoder.prefill(decoder.embed(ids, m), cache, true).toFloatArray();
        }
        int v = c.vocabSize();
        // Chunked prefill: 5 tokens, then 7 more starting at position 5 (keys start past the window).
        try (KvCache cache = decoder.newCache(2, m)) {
          NDArray all = decoder.embed(ids, m);
          decoder.prefill(all.get(new NDIndex("0:5")), cache, true);
          NDArray rest = decoder.prefill(all.get(new NDIndex("5:12")), cache, true);
          assertClose("chunked prefill rows 5..11", java.util.Arrays.copyOfRange(whole, 5 * v, 12 * v), rest.toFloatArray(), 1e-5);
        }
        // Token-by-token decode.
        try (KvCache cache = decoder.newCache(1, m)) {
          decoder.prefill(decoder.embed(new long[] {ids[0]}, m), cache, false);
          for (int t = 1; t < n; t++) {
            NDArray step = decoder.decode(new long[] {ids[t]}, List.of(cache), m);
            assertClose("decode position " + t, java.util.Arrays.copyOfRange(whole, t * v, (t + 1) * v), step.toFloatArray(), 1e-5);
          }
        }
        // Without the window only positions >= 4 (those that would drop keys) change.
        TextConfig full = text(MISTRAL_WINDOW_4.replace("\"sliding_window\": 4", "\"sliding_window\": null"));
        try (LlamaDecoder unwindowed = new LlamaDecoder(full, w, m); KvCache cache = unwindowed.newCache(n, m)) {
          float[] noWindow = unwindowed.prefill(unwindowed.embed(ids, m), cache, true).toFloatArray();
          assertClose("positions 0..3 are inside the window", java.util.Arrays.copyOfRange(whole, 0, 4 * v),
              java.util.Arrays.copyOfRange(noWindow, 0, 4 * v), 1e-6);
          double later = maxAbsDiff(java.util.Arrays.copyOfRange(whole, 4 * v, 5 * v), java.util.Arrays.copyOfRange(noWindow, 4 * v, 5 * v));
          assertTrue(later > 1e-3, "position 4 should lose key 0 to the window, logits moved only " + later);
        }
      }
    }
  }

  @Test
  void decodeRejectsMismatchedInputs() throws IOException {
    TextConfig c = text(GQA_WITH_BIASES);
    try (NDManager m = NDManager.newBaseManager()) {
      LlavaWeights.Text w = RandomWeights.text(c, m, 1, 0.1f);
      try (LlamaDecoder decoder = new LlamaDecoder(c, w, m); KvCache cache = decoder.newCache(4, m)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> decoder.decode(new long[] {1, 2}, List.of(cache), m));
        assertEquals("decode got 2 tokens for 1 caches", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> decoder.decode(new long[] {1, 2}, List.of(cache, cache), m));
        assertTrue(e.getMessage().contains("same KvCache twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> decoder.embed(new long[] {50}, m));
        assertEquals("token id 50 is outside the vocabulary [0, 50)", e.getMessage());
      }
    }
  }
}
