package dev.llava.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A checkpoint's own Jinja chat template rendered the way transformers' {@code apply_chat_template}
 * does: Jinja2 with {@code trim_blocks} and {@code lstrip_blocks}, variables {@code messages},
 * {@code add_generation_prompt}, {@code bos_token}/{@code eos_token}/{@code unk_token}/
 * {@code pad_token}, the function {@code raise_exception(msg)} and the
 * {@code {% generation %}} block (see {@link Jinja2Environment} for the remaining differences).
 *
 * <p>Message content is passed in one of two shapes (see {@link ContentFormat}), chosen from the
 * template source like vLLM does: templates that look at {@code 'type'} get processor-style part
 * lists, others a plain string.
 */
public final class JinjaChatTemplate implements ChatTemplate {

  /** How {@code message['content']} reaches the template. */
  public enum ContentFormat {
    /** {@code [{"type": "image"}, {"type": "text", "text": "..."}]}, as LlavaProcessor templates expect. */
    PARTS,
    /** One string; each image slot becomes {@code "<image>\n"} in place (LLaVA's convention). */
    STRING
  }

  private static final Pattern LOOKS_AT_TYPE = Pattern.compile("\\[\\s*['\"]type['\"]\\s*]|\\.type\\b|['\"]type['\"]");
  private static final Pattern GENERATION_BLOCK = Pattern.compile("\\{%-?\\s*generation\\s*-?%}");

  private final String name;
  private final String source;
  /** {@link #source} with filtered for-loops rewritten for Jinjava, and their conditions. */
  private final String jinjavaSource;
  private final List<LoopConditionFilter.Condition> loopConditions = new ArrayList<>();
  private final Map<String, Object> specialTokens;
  private final String imageToken;
  private final ContentFormat contentFormat;

  /**
   * @param name where the source came from, for messages
   * @param source the Jinja template text
   * @param specialTokens template variables such as {@code bos_token -> "<s>"}
   * @param imageToken the placeholder text for image slots in {@link ContentFormat#STRING}
   */
  public JinjaChatTemplate(String name, String source, Map<String, String> specialTokens, String imageToken) {
    this(name, source, specialTokens, imageToken,
        LOOKS_AT_TYPE.matcher(source).find() ? ContentFormat.PARTS : ContentFormat.STRING);
  }

  public JinjaChatTemplate(String name, String source, Map<String, String> specialTokens, String imageToken,
      ContentFormat contentFormat) {
    this.name = name;
    this.source = source;
    this.jinjavaSource = Jinja2Environment.prepare(source, loopConditions);
    this.specialTokens = Map.copyOf(specialTokens);
    this.imageToken = imageToken;
    this.contentFormat = contentFormat;
  }

  /**
   * The checkpoint's template, looked up as a LLaVA processor would: {@code chat_template.jinja},
   * {@code chat_template.json}, {@code processor_config.json}, then {@code tokenizer_config.json}
   * (whose {@code chat_template} may be a list of named templates: {@code "default"} is taken).
   */
  public static Optional<JinjaChatTemplate> fromCheckpoint(Path dir) throws IOException {
    TokenizerSettings settings = TokenizerSettings.read(dir);
    Map<String, String> tokens = new LinkedHashMap<>();
    putIfPresent(tokens, "bos_token", settings.bosToken());
    putIfPresent(tokens, "eos_token", settings.eosToken());
    putIfPresent(tokens, "unk_token", settings.unkToken());
    putIfPresent(tokens, "pad_token", settings.padToken());

    Path jinja = dir.resolve("chat_template.jinja");
    if (Files.isRegularFile(jinja)) {
      return Optional.of(new JinjaChatTemplate("chat_template.jinja", Files.readString(jinja), tokens,
          settings.imageToken()));
    }
    for (String file : List.of("chat_template.json", "processor_config.json", "tokenizer_config.json")) {
      String source = templateIn(TokenizerSettings.readJson(dir.resolve(file)).get("chat_template"), file);
      if (source != null) {
        return Optional.of(new JinjaChatTemplate(file + ":chat_template", source, tokens, settings.imageToken()));
      }
    }
    return Optional.empty();
  }

  private static void putIfPresent(Map<String, String> map, String key, String value) {
    if (value != null) {
      map.put(key, value);
    }
  }

  private static String templateIn(JsonNode node, String file) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isArray()) {
      List<String> names = new ArrayList<>();
      for (JsonNode entry : node) {
        String entryName = entry.path("name").asText();
        if (entryName.equals("default")) {
          return entry.path("template").asText();
        }
        names.add(entryName);
      }
      throw new IllegalArgumentException(file + " has named chat templates " + names
          + " but none called 'default'");
    }
    throw new IllegalArgumentException(file + " chat_template must be a string or a list of {name, template},"
        + " got " + node.getNodeType());
  }

  @Override
  public String name() {
    return name;
  }

  public String source() {
    return source;
  }

  public ContentFormat contentFormat() {
    return contentFormat;
  }

  @Override
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return renderMarked(messages, addGenerationPrompt, Map.of()).text();
  }

  /** The rendered text with extra template variables (e.g. {@code tools}, {@code date_string}). */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
    return renderMarked(messages, addGenerationPrompt, variables).text();
  }

  /**
   * Marks assistant answers from {@code {% generation %}} blocks when the template has them
   * (transformers' rule), otherwise by rendering each prefix of the conversation and taking what
   * each assistant message adds (which includes end-of-turn text such as {@code </s>}).
   */
  @Override
  public RenderedChat renderForTraining(List<ChatMessage> messages) {
    RenderedChat marked = renderMarked(messages, false, Map.of());
    return GENERATION_BLOCK.matcher(source).find() ? marked : withPrefixSpans(messages, marked);
  }

  private RenderedChat withPrefixSpans(List<ChatMessage> messages, RenderedChat full) {
    List<TextSpan> spans = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      if (!messages.get(i).role().equals("assistant")) {
        continue;
      }
      String before = renderMarked(messages.subList(0, i), true, Map.of()).text();
      String through = renderMarked(messages.subList(0, i + 1), false, Map.of()).text();
      if (!through.startsWith(before) || !full.text().startsWith(through)) {
        throw new IllegalStateException("chat template " + name + " does not render conversations"
            + " prefix by prefix (message " + i + " changes earlier text), so assistant spans cannot be"
            + " found; add {% generation %} blocks to the template");
      }
      spans.add(new TextSpan(before.length(), through.length()));
    }
    return new RenderedChat(full.text(), spans);
  }

  private RenderedChat renderMarked(List<ChatMessage> messages, boolean addGenerationPrompt,
      Map<String, Object> variables) {
    Map<String, Object> context = new HashMap<>(variables);
    context.putAll(specialTokens);
    context.put("messages", toTemplateMessages(messages));
    context.put("add_generation_prompt", addGenerationPrompt);
    context.put(LoopConditionFilter.CONDITIONS, loopConditions);
    return extractSpans(Jinja2Environment.render(name, jinjavaSource, context));
  }

  private List<Map<String, Object>> toTemplateMessages(List<ChatMessage> messages) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ChatMessage m : messages) {
      Map<String, Object> message = new LinkedHashMap<>();
      message.put("role", m.role());
      message.put("content", contentFormat == ContentFormat.PARTS ? parts(m) : string(m));
      out.add(message);
    }
    return out;
  }

  private static List<Map<String, Object>> parts(ChatMessage m) {
    List<Map<String, Object>> parts = new ArrayList<>();
    for (ContentPart p : m.content()) {
      checkNoMarkers(p);
      Map<String, Object> part = new LinkedHashMap<>();
      if (p instanceof ContentPart.Text t) {
        part.put("type", "text");
        part.put("text", t.text());
      } else {
        part.put("type", "image");
      }
      parts.add(part);
    }
    return parts;
  }

  private String string(ChatMessage m) {
    StringBuilder b = new StringBuilder();
    for (ContentPart p : m.content()) {
      checkNoMarkers(p);
      b.append(p instanceof ContentPart.Text t ? t.text() : imageToken + "\n");
    }
    return b.toString();
  }

  private static void checkNoMarkers(ContentPart p) {
    if (p instanceof ContentPart.Text t
        && (t.text().indexOf(GenerationTag.START) >= 0 || t.text().indexOf(GenerationTag.END) >= 0)) {
      throw new IllegalArgumentException("message text contains U+FDD0/U+FDD1, Unicode noncharacters"
          + " reserved for marking assistant spans");
    }
  }

  private static RenderedChat extractSpans(String marked) {
    StringBuilder text = new StringBuilder(marked.length());
    List<TextSpan> spans = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < marked.length(); i++) {
      char c = marked.charAt(i);
      if (c == GenerationTag.START) {
        start = text.length();
      } else if (c == GenerationTag.END) {
        spans.add(new TextSpan(start, text.length()));
      } else {
        text.append(c);
      }
    }
    return new RenderedChat(text.toString(), spans);
  }
}
