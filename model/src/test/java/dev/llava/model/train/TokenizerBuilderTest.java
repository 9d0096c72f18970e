package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.text.LlavaTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trained BPE tokenizer loads in DJL's HuggingFaceTokenizer, keeps Llama's ids and round-trips text. */
class TokenizerBuilderTest {
  static final List<String> CORPUS = List.of(
      "A chat between a curious user and an artificial intelligence assistant. USER: What color is the circle?",
      "Answer the question using a single word or phrase. ASSISTANT: red",
      "How many objects are there? 3", "Where is the blue square? left", "Is there a green triangle? no",
      "What shape is at the top? circle", "There are two objects. A red circle at the top and a blue square.");

  @TempDir
  Path dir;

  @Test
  void loadsWithLlamaSpecialIdsAndRoundTrips() throws Exception {
    TokenizerBuilder b = TokenizerBuilder.train(CORPUS, 400);
    b.write(dir, 512);
    try (LlavaTokenizer t = LlavaTokenizer.load(dir)) {
      assertEquals(0, t.unk().orElseThrow().id());
      assertEquals(1, t.bos().orElseThrow().id());
      assertEquals(2, t.eos().orElseThrow().id());
      assertEquals(b.imageTokenId(), t.requireImage().id());
      assertEquals(b.padTokenId(), t.pad().orElseThrow().id());
      assertEquals(3 + 0x0A, t.tokenId("<0x0A>").orElseThrow());
      long[] ids = t.encode("What color is the circle?");
      assertEquals(1, ids[0], "BOS added by the post-processor");
      assertEquals(List.of("▁is", "▁the", "▁circle", "?"), t.tokens("is the circle?", false), "frequent words are one token");
      long[] withImage = t.encode("USER: <image>\nWhat", false);
      long images = java.util.Arrays.stream(withImage).filter(id -> id == b.imageTokenId()).count();
      assertEquals(1, images, "<image> is one added token");
      for (String text : List.of("What color is the circle?", "  two  spaces and\nnewlines\n", "3 + 4 = 7",
          "Ünïcödé ✓ 日本 🎨 never seen", "A red circle at the top and a blue square.")) {
        assertEquals(text, t.decode(t.encode(text, false), true), "round trip of '" + text + "'");
      }
    }
  }

  @Test
  void deterministicAndBounded() throws Exception {
    TokenizerBuilder a = TokenizerBuilder.train(CORPUS, 330);
    TokenizerBuilder b = TokenizerBuilder.train(CORPUS, 330);
    a.write(dir.resolve("a"), 512);
    b.write(dir.resolve("b"), 512);
    assertArrayEquals(Files.readAllBytes(dir.resolve("a/tokenizer.json")), Files.readAllBytes(dir.resolve("b/tokenizer.json")));
    assertTrue(a.modelVocabSize() <= 330, "vocabulary " + a.modelVocabSize());
    assertEquals(a.modelVocabSize() + 2, a.totalVocabSize());
    for (String[] merge : a.merges()) {
      assertTrue(!merge[1].contains("▁"), "a merge never spans two words: " + merge[0] + " " + merge[1]);
    }
  }
}
