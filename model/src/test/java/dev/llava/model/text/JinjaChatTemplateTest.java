package dev.llava.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llava.model.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expected strings come from rendering the same templates with Python Jinja2 3.1 configured as
 * transformers does ({@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)},
 * a {@code generation} block extension, {@code raise_exception}); the templates are in
 * src/test/resources/chat-templates: llava-hf's processor templates for LLaVA-1.5 (with generation
 * blocks) and LLaVA-NeXT-vicuna, Mistral-7B-Instruct-v0.1's tokenizer template, and a ChatML
 * template exercising whitespace control and Python string methods.
 */
class JinjaChatTemplateTest {
  private static final Map<String, String> TOKENS =
      Map.of("bos_token", "<s>", "eos_token", "</s>", "unk_token", "<unk>", "pad_token", "<pad>");
  private static final List<ChatMessage> TWO_TURNS = List.of(
      ChatMessage.userWithImages(1, "What is in the image?"),
      ChatMessage.assistant("A cat."),
      ChatMessage.user("What color is it?"));

  private static List<ChatMessage> answered() {
    List<ChatMessage> m = new ArrayList<>(TWO_TURNS);
    m.add(ChatMessage.assistant("Orange."));
    return m;
  }

  private static List<ChatMessage> withSystem() {
    List<ChatMessage> m = new ArrayList<>();
    m.add(ChatMessage.system("Be brief."));
    m.addAll(TWO_TURNS);
    return m;
  }

  private static JinjaChatTemplate template(String file) throws IOException {
    try (InputStream in = JinjaChatTemplateTest.class.getResourceAsStream("/chat-templates/" + file)) {
      return new JinjaChatTemplate(file, new String(in.readAllBytes(), StandardCharsets.UTF_8), TOKENS, "<image>");
    }
  }

  @Test
  void llava15HfTemplateWithGenerationBlocks() throws IOException {
    JinjaChatTemplate t = template("llava-1.5-hf.jinja");
    assertEquals(JinjaChatTemplate.ContentFormat.PARTS, t.contentFormat());
    assertEquals("USER: <image>\nWhat is in the image? ASSISTANT: A cat. USER: What color is it? ASSISTANT:",
        t.prompt(TWO_TURNS));
    RenderedChat full = t.renderForTraining(answered());
    assertEquals("USER: <image>\nWhat is in the image? ASSISTANT: A cat. USER: What color is it? ASSISTANT:"
        + " Orange. ", full.text());
    assertEquals(List.of("A cat. ", "Orange. "), full.assistantTexts());
    assertEquals("Be brief. USER: <image>\nWhat is in the image? ASSISTANT: A cat. USER: What color is it?"
        + " ASSISTANT:", t.prompt(withSystem()));
  }

  @Test
  void llavaNextVicunaHfTemplateIncludingItsDoubledSystemText() throws IOException {
    JinjaChatTemplate t = template("llava-next-vicuna-hf.jinja");
    assertEquals("USER: <image>\nWhat is in the image? ASSISTANT: A cat. USER: What color is it? ASSISTANT:",
        t.prompt(TWO_TURNS));
    // The template prints a system message's text twice; HF renders it that way too.
    assertEquals("Be brief.Be brief. USER: <image>\nWhat is in the image? ASSISTANT: A cat. USER: What color"
        + " is it? ASSISTANT:", t.prompt(withSystem()));
    // No generation blocks: spans are what each assistant message adds to the rendered prefix.
    assertEquals(List.of(" A cat. ", " Orange. "), t.renderForTraining(answered()).assistantTexts());
  }

  @Test
  void mistralTokenizerTemplateWithStringContentAndEos() throws IOException {
    JinjaChatTemplate t = template("mistral-instruct-v0.1.jinja");
    assertEquals(JinjaChatTemplate.ContentFormat.STRING, t.contentFormat());
    assertEquals("<s>[INST] <image>\nWhat is in the image? [/INST]A cat.</s>[INST] What color is it? [/INST]",
        t.prompt(TWO_TURNS));
    RenderedChat full = t.renderForTraining(answered());
    assertEquals("<s>[INST] <image>\nWhat is in the image? [/INST]A cat.</s>[INST] What color is it? [/INST]"
        + "Orange.</s>", full.text());
    assertEquals(List.of("A cat.</s>", "Orange.</s>"), full.assistantTexts());
  }

  @Test
  void raiseExceptionBecomesAnErrorWithTheTemplatesMessage() throws IOException {
    JinjaChatTemplate t = template("mistral-instruct-v0.1.jinja");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.prompt(withSystem()));
    assertEquals("chat template mistral-instruct-v0.1.jinja rejected the conversation: Conversation roles"
        + " must alternate user/assistant/user/assistant/...", e.getMessage());
  }

  @Test
  void whitespaceControlTrimBlocksAndPythonStringMethods() throws IOException {
    JinjaChatTemplate t = template("chatml-whitespace.jinja");
    assertEquals("<|im_start|>system\nAnswer the questions.<|im_end|>\n<|im_start|>user\n<image>\nWhat is in"
        + " the image?<|im_end|>\n<|im_start|>assistant\nA cat.<|im_end|>\n<|im_start|>user\nWhat color is"
        + " it?<|im_end|>\n<|im_start|>assistant\n", t.prompt(TWO_TURNS));
    assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n<image>\nWhat is in the image?"
        + "<|im_end|>\n<|im_start|>assistant\nA cat.<|im_end|>\n<|im_start|>user\nWhat color is it?<|im_end|>"
        + "\n<|im_start|>assistant\n", t.prompt(withSystem()));
    assertEquals(List.of("A cat.<|im_end|>\n", "Orange.<|im_end|>\n"), t.renderForTraining(answered()).assistantTexts());
  }

  @Test
  void pythonStringMethodsBehaveLikePython() {
    JinjaChatTemplate t = new JinjaChatTemplate("inline",
        "{{ 'hello wORLD'.title() }}|{{ ' a b  c '.split() }}|{{ 'a,b,c'.split(',', 1) }}|{{ 'xxhixx'.strip('x') }}"
            + "|{{ 'yes' if 'abc'.startswith(('z', 'a')) }}|{{ '-'.join(['a', 'b']) }}|{{ 'aaa'.replace('a', 'b', 2) }}",
        TOKENS, "<image>");
    // Python Jinja2 renders exactly this.
    assertEquals("Hello World|['a', 'b', 'c']|['a', 'b,c']|hi|yes|a-b|bba", t.prompt(List.of(ChatMessage.user("x"))));
  }

  @Test
  void filteredForLoopsCountOnlyKeptItemsAsInJinja2() {
    // Jinja2 renders "user:0,assistant:1:last," (Jinjava alone would ignore the if).
    JinjaChatTemplate t = new JinjaChatTemplate("filtered",
        "{%- for m in messages if m.role != 'system' -%}{{ m.role }}:{{ loop.index0 }}{{ ':last' if loop.last }},"
            + "{%- endfor %}",
        TOKENS, "<image>");
    assertEquals("user:0,assistant:1:last,",
        t.render(List.of(ChatMessage.system("S"), ChatMessage.user("a"), ChatMessage.assistant("b")), false));
  }

  @Test
  void jinja2SemanticsJinjavaLacksByDefault() {
    // Expected output is Jinja2's: not binds looser than ==, {{- and {#- trim, dict loops give keys,
    // lists print as Python lists; "not a == b" is only rewritten inside tags, never in text.
    JinjaChatTemplate t = new JinjaChatTemplate("jinja2",
        "{% if not messages[0].role == 'system' %}no system{% endif %}|{#- c -#}  x  {{- ' y ' -}}  z|"
            + "{% for k in messages[0] %}{{ k }},{% endfor %}|{{ ['a', 'b'] }}|do not a == b",
        TOKENS, "<image>");
    assertEquals("no system|x y z|role,content,|['a', 'b']|do not a == b",
        t.prompt(List.of(ChatMessage.user("hi"))));
  }

  @Test
  void promptsRenderEvenWhenTrainingSpansCannotBeFound() {
    JinjaChatTemplate t = new JinjaChatTemplate("count", "{{ messages | length }} messages", TOKENS, "<image>");
    List<ChatMessage> chat = List.of(ChatMessage.user("a"), ChatMessage.assistant("b"));
    assertEquals("2 messages", t.prompt(chat));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.renderForTraining(chat));
    assertEquals("chat template count does not render conversations prefix by prefix (message 1 changes"
        + " earlier text), so assistant spans cannot be found; add {% generation %} blocks to the template",
        e.getMessage());
  }

  @Test
  void tinyFixturesShipNoChatTemplate() throws IOException {
    // Neither tiny checkpoint has chat_template in tokenizer_config.json or processor_config.json,
    // nor a chat_template.json/.jinja: transformers would refuse apply_chat_template, we return empty.
    assertTrue(ChatTemplate.fromCheckpoint(Fixtures.llava15()).isEmpty());
    assertTrue(ChatTemplate.fromCheckpoint(Fixtures.llavaNext()).isEmpty());
  }

  @Test
  void checkpointTemplateIsFoundInEachFileWithProcessorFilesFirst(@TempDir Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Files.copy(Fixtures.llava15().resolve("special_tokens_map.json"), dir.resolve("special_tokens_map.json"));
    Map<String, Object> config = json.readValue(Fixtures.llava15().resolve("tokenizer_config.json").toFile(), Map.class);
    config.put("chat_template", List.of(Map.of("name", "tool_use", "template", "tool"),
        Map.of("name", "default", "template", "{{ bos_token }}tokenizer-config")));
    json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    assertEquals("<s>tokenizer-config", ChatTemplate.fromCheckpoint(dir).orElseThrow().prompt(List.of()));

    json.writeValue(dir.resolve("processor_config.json").toFile(), Map.of("chat_template", "processor-config"));
    assertEquals("processor-config", ChatTemplate.fromCheckpoint(dir).orElseThrow().prompt(List.of()));

    json.writeValue(dir.resolve("chat_template.json").toFile(), Map.of("chat_template", "{{ eos_token }}json"));
    ChatTemplate fromJson = ChatTemplate.fromCheckpoint(dir).orElseThrow();
    assertEquals("chat_template.json:chat_template", fromJson.name());
    assertEquals("</s>json", fromJson.prompt(List.of()));

    Files.writeString(dir.resolve("chat_template.jinja"), "{{ pad_token }}jinja");
    assertEquals("<pad>jinja", ChatTemplate.fromCheckpoint(dir).orElseThrow().prompt(List.of()));
  }

  @Test
  void unknownTagsAndSyntaxErrorsAreReported() {
    JinjaChatTemplate t = new JinjaChatTemplate("broken", "{% frobnicate %}", TOKENS, "<image>");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.prompt(List.of()));
    assertTrue(e.getMessage().startsWith("chat template broken failed to render: "), e.getMessage());
    assertTrue(e.getMessage().contains("frobnicate"), e.getMessage());
  }
}
