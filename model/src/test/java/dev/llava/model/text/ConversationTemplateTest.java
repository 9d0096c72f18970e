package dev.llava.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected strings were produced by running {@code Conversation.get_prompt()} of the reference
 * repository's llava/conversation.py on the same two-turn conversation (first message as the
 * (text, image, mode) tuple, a final {@code [ASSISTANT, None]} for the generation prompt).
 */
class ConversationTemplateTest {
  private static final List<ChatMessage> TWO_TURNS = List.of(
      ChatMessage.userWithImages(1, "What is in the image?"),
      ChatMessage.assistant("A cat."),
      ChatMessage.user("What color is it?"));

  private static List<ChatMessage> answered() {
    List<ChatMessage> m = new ArrayList<>(TWO_TURNS);
    m.add(ChatMessage.assistant("Orange."));
    return m;
  }

  private static final String VICUNA_SYSTEM = "A chat between a curious user and an artificial intelligence"
      + " assistant. The assistant gives helpful, detailed, and polite answers to the user's questions.";
  private static final String LLAVA_SYSTEM = "A chat between a curious human and an artificial intelligence"
      + " assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.";

  @Test
  void vicunaV1() {
    ChatTemplate t = ChatTemplate.named("vicuna_v1");
    assertEquals(VICUNA_SYSTEM + " USER: <image>\nWhat is in the image? ASSISTANT: A cat.</s>"
        + "USER: What color is it? ASSISTANT:", t.prompt(TWO_TURNS));
    RenderedChat full = t.renderForTraining(answered());
    assertEquals(VICUNA_SYSTEM + " USER: <image>\nWhat is in the image? ASSISTANT: A cat.</s>"
        + "USER: What color is it? ASSISTANT: Orange.</s>", full.text());
    assertEquals(List.of(" A cat.</s>", " Orange.</s>"), full.assistantTexts());
    assertEquals(List.of("</s>"), ConversationTemplate.named("vicuna_v1").stopStrings());
  }

  @Test
  void llavaV1() {
    ChatTemplate t = ChatTemplate.named("llava_v1");
    assertEquals(LLAVA_SYSTEM + " USER: <image>\nWhat is in the image? ASSISTANT: A cat.</s>"
        + "USER: What color is it? ASSISTANT:", t.prompt(TWO_TURNS));
    assertEquals(List.of(" A cat.</s>", " Orange.</s>"), t.renderForTraining(answered()).assistantTexts());
  }

  @Test
  void mistralInstruct() {
    ChatTemplate t = ChatTemplate.named("mistral_instruct");
    assertEquals("[INST] <image>\nWhat is in the image? [/INST] A cat. </s>[INST] What color is it? [/INST]",
        t.prompt(TWO_TURNS));
    RenderedChat full = t.renderForTraining(answered());
    assertEquals("[INST] <image>\nWhat is in the image? [/INST] A cat. </s>[INST] What color is it? [/INST]"
        + " Orange. </s>", full.text());
    assertEquals(List.of(" A cat. </s>", " Orange. </s>"), full.assistantTexts());
    assertEquals(List.of("</s>"), ConversationTemplate.named("mistral_instruct").stopStrings());
  }

  @Test
  void mistralInstructWrapsASystemMessageInTheFirstInst() {
    List<ChatMessage> m = new ArrayList<>();
    m.add(ChatMessage.system("Be brief."));
    m.addAll(TWO_TURNS);
    assertEquals("[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\n<image>\nWhat is in the image? [/INST] A cat. </s>"
        + "[INST] What color is it? [/INST]", ChatTemplate.named("mistral_instruct").prompt(m));
  }

  @Test
  void chatmlDirect() {
    ChatTemplate t = ChatTemplate.named("chatml_direct");
    assertEquals("<|im_start|>system\nAnswer the questions.<|im_end|><|im_start|>user\n<image>\n"
        + "What is in the image?<|im_end|><|im_start|>assistant\nA cat.<|im_end|><|im_start|>user\n"
        + "What color is it?<|im_end|><|im_start|>assistant\n", t.prompt(TWO_TURNS));
    assertEquals(List.of("A cat.<|im_end|>", "Orange.<|im_end|>"), t.renderForTraining(answered()).assistantTexts());
    assertEquals(List.of("<|im_end|>"), ConversationTemplate.named("chatml_direct").stopStrings());
  }

  /**
   * Every trained span starts exactly where the generation prompt for that turn ends, so training teaches what
   * inference must generate, separator space included (with split digits " 2" is "▁" + "2").
   */
  @Test
  void trainedSpansStartWhereTheGenerationPromptEnds() {
    for (String name : List.of("vicuna_v1", "llava_v1", "mistral_instruct", "chatml_direct")) {
      ChatTemplate t = ChatTemplate.named(name);
      List<ChatMessage> all = answered();
      RenderedChat full = t.renderForTraining(all);
      String prefixOfFirst = t.prompt(all.subList(0, 1));
      String prefixOfSecond = t.prompt(all.subList(0, 3));
      assertEquals(prefixOfFirst.length(), full.assistantSpans().get(0).start(), name + " first answer");
      assertEquals(prefixOfSecond.length(), full.assistantSpans().get(1).start(), name + " second answer");
      assertEquals(prefixOfSecond, full.text().substring(0, prefixOfSecond.length()), name);
    }
  }

  @Test
  void plainIsImageThenCaptionThenNewline() {
    ChatTemplate t = ChatTemplate.named("plain");
    List<ChatMessage> pair = List.of(ChatMessage.userWithImages(1, "ignored by preprocess_plain"),
        ChatMessage.assistant("A cat on a sofa."));
    RenderedChat r = t.renderForTraining(pair);
    assertEquals("<image>A cat on a sofa.\n", r.text());
    assertEquals(List.of("A cat on a sofa.\n"), r.assistantTexts());
    assertEquals("<image>", t.prompt(List.of(ChatMessage.userWithImages(1, "x"))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.renderForTraining(answered()));
    assertEquals("template plain renders one image-caption pair (a user turn with the image and at most"
        + " one assistant caption), got 4 turns", e.getMessage());
  }

  @Test
  void systemMessageReplacesTheDefaultSystemText() {
    List<ChatMessage> m = List.of(ChatMessage.system("Be brief."), ChatMessage.userWithImages(1, "  Hi \n"));
    assertEquals("Be brief. USER: <image>\nHi ASSISTANT:", ChatTemplate.named("vicuna_v1").prompt(m));
  }

  @Test
  void twoImagesInOneTurnGetOnePlaceholderLineEach() {
    List<ChatMessage> m = List.of(ChatMessage.userWithImages(2, "Compare."));
    assertEquals(VICUNA_SYSTEM + " USER: <image>\n<image>\nCompare. ASSISTANT:",
        ChatTemplate.named("vicuna_v1").prompt(m));
  }

  @Test
  void rolesMustAlternateStartingWithUser() {
    List<ChatMessage> m = List.of(ChatMessage.user("a"), ChatMessage.user("b"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ChatTemplate.named("vicuna_v1").prompt(m));
    assertEquals("template vicuna_v1: turn 1 must be 'assistant' (user and assistant alternate, starting"
        + " with user, after an optional system message), got 'user'", e.getMessage());
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.named("v2"));
    assertEquals("unknown conversation template 'v2', expected one of "
        + "[chatml_direct, llava_v1, mistral_instruct, plain, vicuna_v1]", e.getMessage());
  }
}
