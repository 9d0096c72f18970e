package dev.llava.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llava.model.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlavaTokenizerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static LlavaTokenizer llama2;
  private static LlavaTokenizer mistral;

  @BeforeAll
  static void load() throws IOException {
    llama2 = LlavaTokenizer.load(Fixtures.tokenizers().resolve("llama2"));
    mistral = LlavaTokenizer.load(Fixtures.tokenizers().resolve("mistral"));
  }

  @AfterAll
  static void close() {
    llama2.close();
    mistral.close();
  }

  @Test
  void llama2MatchesAllThirtyExpectedPrompts() throws IOException {
    assertMatchesExpectedJsonl(llama2, Fixtures.tokenizers().resolve("llama2"));
  }

  @Test
  void mistralMatchesAllThirtyExpectedPrompts() throws IOException {
    assertMatchesExpectedJsonl(mistral, Fixtures.tokenizers().resolve("mistral"));
  }

  private static void assertMatchesExpectedJsonl(LlavaTokenizer tok, Path dir) throws IOException {
    List<JsonNode> cases = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("expected.jsonl"))) {
      if (!line.isBlank()) {
        cases.add(JSON.readTree(line));
      }
    }
    assertEquals(30, cases.size());
    for (JsonNode c : cases) {
      String text = c.get("text").asText();
      long[] expected = longs(c.get("ids"));
      assertArrayEquals(expected, tok.encode(text, c.get("add_special_tokens").asBoolean()),
          () -> "ids of " + JSON.valueToTree(text));
      List<String> tokens = new ArrayList<>();
      c.get("tokens").forEach(t -> tokens.add(t.asText()));
      assertEquals(tokens, tok.tokens(text, true), () -> "tokens of " + JSON.valueToTree(text));
      assertEquals(c.get("hf_tokenizers_rust_decode_skip_special_false").asText(),
          tok.decode(expected, false), () -> "decode of " + JSON.valueToTree(text));
    }
  }

  @Test
  void emptyStringIsBosOnlyLikeTransformers() throws IOException {
    LlavaTokenizer tok = llama2;
    assertArrayEquals(new long[] {1}, tok.encode(""));
    assertArrayEquals(new long[] {}, tok.encode("", false));
  }

  @Test
  void llavaHfPutsSpaceTokensAroundImage() throws IOException {
    LlavaTokenizer tok = llama2;
    // README: "USER: <image>\nWhat" -> ... ":", "▁", 32000, "▁", "\n", "What"
    assertArrayEquals(new long[] {1, 3148, 1001, 29901, 29871, 32000, 29871, 13, 5618},
        tok.encode("USER: <image>\nWhat"));
    assertEquals(new SpecialToken("<image>", 32000), tok.requireImage());
    assertEquals(new SpecialToken("<pad>", 32001), tok.pad().orElseThrow());
    assertEquals(new SpecialToken("<s>", 1), tok.bos().orElseThrow());
    assertTrue(tok.addBosToken());
    assertTrue(tok.isSpecial(32000));
    assertFalse(tok.isSpecial(5618));
  }

  @Test
  void mistralHasNoImageTokenAndNoPad() throws IOException {
    LlavaTokenizer tok = mistral;
    assertTrue(tok.image().isEmpty());
    assertTrue(tok.pad().isEmpty());
    IllegalStateException e = assertThrows(IllegalStateException.class, tok::requireImage);
    assertTrue(e.getMessage().contains("'<image>'"), e.getMessage());
    assertEquals(Set.of(2L), tok.eosTokenIds());
  }

  @Test
  void tinyFixturesTokenizeTheirPromptsBeforeExpansion() throws IOException {
    for (Path dir : List.of(Fixtures.llava15(), Fixtures.llavaNext())) {
      JsonNode expected = JSON.readTree(dir.resolve("expected/expected.json").toFile());
      try (LlavaTokenizer tok = LlavaTokenizer.load(dir)) {
        String prompt = expected.get("prompt").asText();
        assertArrayEquals(longs(expected.get("prompt_token_ids_before_expansion")), tok.encode(prompt),
            dir.toString());
        List<String> tokens = new ArrayList<>();
        expected.get("prompt_tokens_before_expansion").forEach(t -> tokens.add(t.asText()));
        assertEquals(tokens, tok.tokens(prompt, true));
        assertEquals(384, tok.requireImage().id());
        assertEquals(385, tok.pad().orElseThrow().id());
        assertEquals(Set.of(2L), tok.eosTokenIds());
      }
    }
  }

  @Test
  void offsetsAreUtf16IndicesEvenAfterAstralCharacters() throws IOException {
    LlavaTokenizer tok = llama2;
    String text = "é🚀 x<image>\nWhat";
    EncodedText e = tok.encodeWithOffsets(text, true);
    // <s> ▁é <0xF0> <0x9F> <0x9A> <0x80> ▁x <image> ▁ <0x0A> What
    assertArrayEquals(new long[] {1, 904, 243, 162, 157, 131, 921, 32000, 29871, 13, 5618}, e.ids());
    assertArrayEquals(new int[] {-1, 0, 1, 1, 1, 1, 3, 5, 12, 12, 13}, e.starts());
    assertArrayEquals(new int[] {-1, 1, 3, 3, 3, 3, 5, 12, 13, 13, 17}, e.ends());
    assertEquals("<image>", text.substring(e.starts()[7], e.ends()[7]));
    assertEquals("What", text.substring(e.starts()[10], e.ends()[10]));
  }

  @Test
  void promptThatAlreadyStartsWithBosGetsNoSecondBos() throws IOException {
    LlavaTokenizer tok = mistral;
    assertArrayEquals(new long[] {1, 733, 16289, 28793}, tok.encodePrompt("<s>[INST]"));
    assertArrayEquals(new long[] {1, 733, 16289, 28793}, tok.encodePrompt("[INST]"));
  }

  @Test
  void addBosTokenFalseInConfigOverridesThePostProcessor(@TempDir Path dir) throws IOException {
    Path src = Fixtures.llava15();
    for (String f : List.of("tokenizer.json", "special_tokens_map.json", "processor_config.json")) {
      Files.copy(src.resolve(f), dir.resolve(f));
    }
    String config = Files.readString(src.resolve("tokenizer_config.json"))
        .replace("\"add_bos_token\": true", "\"add_bos_token\": false");
    Files.writeString(dir.resolve("tokenizer_config.json"), config);
    try (LlavaTokenizer tok = LlavaTokenizer.load(dir)) {
      assertFalse(tok.addBosToken());
      assertArrayEquals(new long[] {259, 306, 304, 290, 303, 324}, tok.encode("USER:"));
    }
  }

  @Test
  void imageTokenIndexDisagreeingWithTokenizerIsReported(@TempDir Path dir) throws IOException {
    Path src = Fixtures.llava15();
    for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
      Files.copy(src.resolve(f), dir.resolve(f));
    }
    Files.writeString(dir.resolve("config.json"), "{\"image_token_index\": 32000}");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> LlavaTokenizer.load(dir));
    assertEquals("config.json image_token_index is 32000 but the tokenizer maps '<image>' to 384",
        e.getMessage());
  }

  static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }
}
