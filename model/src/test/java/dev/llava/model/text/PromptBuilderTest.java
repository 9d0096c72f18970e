package dev.llava.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llava.model.Fixtures;
import dev.llava.model.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptBuilderTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void llava15InputIdsBothPaths() throws IOException {
    assertInputIdsMatch(Fixtures.llava15(), 576, 605);
  }

  @Test
  void llavaNextInputIdsBothPaths() throws IOException {
    assertInputIdsMatch(Fixtures.llavaNext(), 2242, 2322);
  }

  private static void assertInputIdsMatch(Path dir, int imageTokens, int length) throws IOException {
    JsonNode expected = JSON.readTree(dir.resolve("expected/expected.json").toFile());
    assertEquals(imageTokens, expected.get("num_image_tokens_per_image").get(0).asInt());
    long[] inputIds = Npy.read(dir.resolve("expected/input_ids.npy")).toLongs();
    assertEquals(length, inputIds.length);
    String prompt = expected.get("prompt").asText();
    try (LlavaTokenizer tok = LlavaTokenizer.load(dir)) {
      PromptBuilder builder = new PromptBuilder(tok);
      int[] counts = {imageTokens};
      assertArrayEquals(inputIds, builder.build(prompt, counts), "splice path");
      assertArrayEquals(inputIds, builder.buildByExpandingText(prompt, counts), "expand-then-tokenise path");
    }
  }

  @Test
  void bothPathsAgreeOnSeveralImagesAndTheLargestNextCount() throws IOException {
    String prompt = "USER: <image>\n<image>\nCompare these.<image> ASSISTANT:";
    int[] counts = {2928, 576, 1};
    try (LlavaTokenizer tok = LlavaTokenizer.load(Fixtures.tokenizers().resolve("llama2"))) {
      PromptBuilder builder = new PromptBuilder(tok);
      long[] fast = builder.build(prompt, counts);
      assertArrayEquals(builder.buildByExpandingText(prompt, counts), fast);
      assertEquals(Arrays.stream(counts).sum(), Arrays.stream(fast).filter(id -> id == 32000).count());
    }
  }

  @Test
  void markerCountMustMatchImageCount() throws IOException {
    try (LlavaTokenizer tok = LlavaTokenizer.load(Fixtures.llava15())) {
      PromptBuilder builder = new PromptBuilder(tok);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> builder.build("<image><image> two", new int[] {576}));
      assertEquals("prompt has 2 '<image>' marker(s) but 1 image(s) were given; each image needs exactly one"
          + " marker", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> builder.build("<image>", new int[] {0}));
      assertEquals("image 0 must expand to at least 1 token, got 0", e.getMessage());
    }
  }

  @Test
  void trainingMaskCoversAssistantAnswersAndTheirEndOfSequence() throws IOException {
    List<ChatMessage> chat = List.of(
        ChatMessage.userWithImages(1, "What is in the image?"),
        ChatMessage.assistant("A cat."),
        ChatMessage.user("What color is it?"),
        ChatMessage.assistant("Orange."));
    RenderedChat rendered = ChatTemplate.named("vicuna_v1").renderForTraining(chat);
    try (LlavaTokenizer tok = LlavaTokenizer.load(Fixtures.tokenizers().resolve("llama2"))) {
      PromptBuilder builder = new PromptBuilder(tok);
      TrainingTokens t = builder.buildTraining(rendered, new int[] {576});
      assertArrayEquals(builder.build(rendered.text(), new int[] {576}), t.inputIds());

      List<String> trainedRuns = new ArrayList<>();
      List<Long> run = new ArrayList<>();
      for (int i = 0; i <= t.inputIds().length; i++) {
        if (i < t.inputIds().length && t.trainable()[i]) {
          run.add(t.inputIds()[i]);
        } else if (!run.isEmpty()) {
          trainedRuns.add(tok.decode(run.stream().mapToLong(Long::longValue).toArray(), false));
          run.clear();
        }
      }
      assertEquals(List.of("A cat.</s>", "Orange.</s>"), trainedRuns);
      // "▁A", "▁cat", ".", "</s>" and "▁Orange", ".", "</s>" in the Llama-2 vocabulary.
      assertEquals(7, t.trainableCount());
      assertFalse(t.trainable()[0], "BOS");
      long[] labels = t.labels();
      for (int i = 0; i < labels.length; i++) {
        assertEquals(t.trainable()[i] ? t.inputIds()[i] : TrainingTokens.IGNORE_INDEX, labels[i]);
        if (t.inputIds()[i] == 32000) {
          assertFalse(t.trainable()[i], "image token " + i);
        }
      }
    }
  }
}
