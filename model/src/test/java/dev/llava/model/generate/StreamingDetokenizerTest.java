package dev.llava.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.Fixtures;
import dev.llava.model.text.LlavaTokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StreamingDetokenizerTest {
  private static LlavaTokenizer llama2;

  @BeforeAll
  static void load() throws IOException {
    llama2 = LlavaTokenizer.load(Fixtures.tokenizers().resolve("llama2"));
  }

  @AfterAll
  static void close() {
    llama2.close();
  }

  private static final String MIXED = "emoji 🚀🔥 and 👍🏽 skin tone, 你好，世界！ 日本語のテキストです。 Привет";

  @Test
  void llama2ByteFallbackEmojiAndCjkNeverEmitReplacementCharacters() {
    assertStreamsCleanly(llama2);
  }

  @Test
  void tinyTokenizerWhereAllNonAsciiIsByteFallback() throws IOException {
    try (LlavaTokenizer tiny = LlavaTokenizer.load(Fixtures.llava15())) {
      assertStreamsCleanly(tiny);
    }
  }

  private static void assertStreamsCleanly(LlavaTokenizer tok) {
    long[] ids = tok.encode(MIXED, false);
    long byteTokens = tok.tokens(MIXED, false).stream().filter(t -> t.matches("<0x[0-9A-F]{2}>")).count();
    assertTrue(byteTokens >= 8, "the text must exercise byte fallback, got " + byteTokens + " byte tokens");

    StreamingDetokenizer d = new StreamingDetokenizer(tok, true);
    List<String> pieces = new ArrayList<>();
    int held = 0;
    for (long id : ids) {
      String piece = d.add(id);
      assertFalse(piece.contains("\uFFFD"), "released a broken character: " + piece);
      if (piece.isEmpty()) {
        held++;
      }
      pieces.add(piece);
    }
    pieces.add(d.flush());
    assertTrue(held > 0, "partial characters must be held back");
    assertEquals(tok.decode(ids, true), String.join("", pieces));
    assertEquals(MIXED, String.join("", pieces));
    assertEquals(MIXED, d.text());
  }

  @Test
  void leadingSpaceOfTheFirstTokenIsDroppedAndLaterSpacesKept() throws IOException {
    LlavaTokenizer tok = llama2;
    StreamingDetokenizer d = new StreamingDetokenizer(tok, true);
    List<String> pieces = new ArrayList<>();
    for (long id : tok.encode("Hello, my dog is cute", false)) { // ▁Hello , ▁my ▁dog ▁is ▁c ute
      pieces.add(d.add(id));
    }
    assertEquals(List.of("Hello", ",", " my", " dog", " is", " c", "ute"), pieces);
  }

  @Test
  void specialTokensAreSkippedOrShown() throws IOException {
    LlavaTokenizer tok = llama2;
    long[] ids = {15043, 2}; // ▁Hello </s>
    StreamingDetokenizer skip = new StreamingDetokenizer(tok, true);
    assertEquals("Hello", skip.add(ids[0]) + skip.add(ids[1]) + skip.flush());
    StreamingDetokenizer show = new StreamingDetokenizer(tok, false);
    assertEquals("Hello</s>", show.add(ids[0]) + show.add(ids[1]) + show.flush());
  }

  @Test
  void stopStringSplitAcrossTokensIsNeverStreamed() throws IOException {
    LlavaTokenizer tok = llama2;
    long[] ids = tok.encode("The cat is orange.\nUSER: and now?", false);
    StreamingDetokenizer d = new StreamingDetokenizer(tok, true);
    StopChecker stop = new StopChecker(Set.of(2L), List.of("\nUSER:"), 100);
    StringBuilder out = new StringBuilder();
    StopChecker.Step step = null;
    int tokensFed = 0;
    for (long id : ids) {
      tokensFed++;
      step = stop.accept(id, d.add(id));
      out.append(step.text());
      assertFalse(out.toString().contains("\n"), "part of the stop string was emitted: " + out);
      if (step.finished()) {
        break;
      }
    }
    assertEquals(FinishReason.STOP, step.finishReason());
    assertEquals("The cat is orange.", out.toString());
    assertTrue(tokensFed < ids.length, "stopped before the end of the text");
  }
}
