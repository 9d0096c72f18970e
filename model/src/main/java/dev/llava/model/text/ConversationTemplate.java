package dev.llava.model.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * LLaVA's conversation templates, rebuilt from {@code llava/conversation.py} of the reference
 * repository ({@code Conversation.get_prompt}) and, for {@code plain}, from {@code preprocess_plain}
 * of its {@code train.py}. The strings are exact: {@code vicuna_v1} renders
 * {@code "<system> USER: <image>\nQ ASSISTANT: A</s>USER: Q2 ASSISTANT:"}.
 *
 * <p>Images: a user turn with k image slots becomes {@code "<image>\n"} k times followed by its
 * text stripped of surrounding whitespace, as get_prompt does for the first turn. The reference
 * only places images in the first turn; here any user turn may carry them.
 */
public final class ConversationTemplate implements ChatTemplate {

  /** conversation.py's SeparatorStyle, only the styles the named templates use. */
  enum SeparatorStyle { TWO, LLAMA_2, MPT, PLAIN }

  private static final String IMAGE = TokenizerSettings.DEFAULT_IMAGE_TOKEN;

  private static final Map<String, ConversationTemplate> NAMED = Map.of(
      "vicuna_v1", new ConversationTemplate("vicuna_v1",
          "A chat between a curious user and an artificial intelligence assistant. "
              + "The assistant gives helpful, detailed, and polite answers to the user's questions.",
          "USER", "ASSISTANT", SeparatorStyle.TWO, " ", "</s>"),
      "llava_v1", new ConversationTemplate("llava_v1",
          "A chat between a curious human and an artificial intelligence assistant. "
              + "The assistant gives helpful, detailed, and polite answers to the human's questions.",
          "USER", "ASSISTANT", SeparatorStyle.TWO, " ", "</s>"),
      "mistral_instruct", new ConversationTemplate("mistral_instruct", "",
          "USER", "ASSISTANT", SeparatorStyle.LLAMA_2, "", "</s>"),
      "chatml_direct", new ConversationTemplate("chatml_direct",
          "<|im_start|>system\nAnswer the questions.",
          "<|im_start|>user\n", "<|im_start|>assistant\n", SeparatorStyle.MPT, "<|im_end|>", null),
      "plain", new ConversationTemplate("plain", "", "", "", SeparatorStyle.PLAIN, "\n", null));

  private final String name;
  private final String system;
  private final String userRole;
  private final String assistantRole;
  private final SeparatorStyle style;
  private final String sep;
  private final String sep2;

  private ConversationTemplate(String name, String system, String userRole, String assistantRole,
      SeparatorStyle style, String sep, String sep2) {
    this.name = name;
    this.system = system;
    this.userRole = userRole;
    this.assistantRole = assistantRole;
    this.style = style;
    this.sep = sep;
    this.sep2 = sep2;
  }

  public static ConversationTemplate named(String name) {
    ConversationTemplate t = NAMED.get(name);
    if (t == null) {
      throw new IllegalArgumentException("unknown conversation template '" + name + "', expected one of "
          + names());
    }
    return t;
  }

  public static Set<String> names() {
    return new TreeSet<>(NAMED.keySet());
  }

  @Override
  public String name() {
    return name;
  }

  /** The default system text (a leading system message replaces it). */
  public String system() {
    return system;
  }

  /**
   * Where generation stops, as LLaVA's serving code picks it: {@code sep2} for the TWO style
   * ({@code "</s>"}), {@code sep} otherwise; mistral_instruct's sep is empty so its sep2 is used.
   */
  public List<String> stopStrings() {
    String stop = style == SeparatorStyle.TWO || sep.isEmpty() ? sep2 : sep;
    return List.of(stop);
  }

  @Override
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return renderWithSpans(messages, addGenerationPrompt).text();
  }

  @Override
  public RenderedChat renderForTraining(List<ChatMessage> messages) {
    return renderWithSpans(messages, false);
  }

  private RenderedChat renderWithSpans(List<ChatMessage> messages, boolean addGenerationPrompt) {
    String systemText = system;
    List<ChatMessage> turns = messages;
    if (!messages.isEmpty() && messages.get(0).role().equals("system")) {
      systemText = messages.get(0).text();
      turns = messages.subList(1, messages.size());
    }
    checkTurns(turns, addGenerationPrompt);
    return switch (style) {
      case TWO -> renderTwo(systemText, turns, addGenerationPrompt);
      case LLAMA_2 -> renderLlama2(systemText, turns);
      case MPT -> renderMpt(systemText, turns, addGenerationPrompt);
      case PLAIN -> renderPlain(turns);
    };
  }

  private void checkTurns(List<ChatMessage> turns, boolean addGenerationPrompt) {
    if (turns.isEmpty()) {
      throw new IllegalArgumentException("template " + name + " needs at least one user message, got none");
    }
    for (int i = 0; i < turns.size(); i++) {
      String expected = i % 2 == 0 ? "user" : "assistant";
      ChatMessage m = turns.get(i);
      if (!m.role().equals(expected)) {
        throw new IllegalArgumentException("template " + name + ": turn " + i + " must be '" + expected
            + "' (user and assistant alternate, starting with user, after an optional system message),"
            + " got '" + m.role() + "'");
      }
      if (expected.equals("assistant") && m.imageCount() > 0) {
        throw new IllegalArgumentException("template " + name + ": assistant turn " + i + " has "
            + m.imageCount() + " image(s); images belong to user turns");
      }
    }
    if (addGenerationPrompt && turns.size() % 2 == 0) {
      throw new IllegalArgumentException("template " + name + ": a generation prompt needs the last"
          + " message to be from the user, got an assistant message last");
    }
  }

  /** get_prompt's image handling: {@code "<image>\n" * k + text.strip()}. */
  private static String userText(ChatMessage m) {
    int images = m.imageCount();
    return images == 0 ? m.text() : (IMAGE + "\n").repeat(images) + m.text().strip();
  }

  private RenderedChat renderTwo(String systemText, List<ChatMessage> turns, boolean generation) {
    StringBuilder b = new StringBuilder(systemText).append(sep);
    List<TextSpan> spans = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      if (i % 2 == 0) {
        b.append(userRole).append(": ").append(userText(turns.get(i))).append(sep);
      } else {
        // the span starts where the generation prompt ("ASSISTANT:") ends: the space is generated too, and
        // with split digits it is a token of its own ("▁", "2"), as LLaVA's `instruction_len - 2` trains it
        b.append(assistantRole).append(':');
        int start = b.length();
        b.append(' ').append(turns.get(i).text()).append(sep2);
        spans.add(new TextSpan(start, b.length()));
      }
    }
    if (generation) {
      b.append(assistantRole).append(':');
    }
    return new RenderedChat(b.toString(), spans);
  }

  private RenderedChat renderLlama2(String systemText, List<ChatMessage> turns) {
    StringBuilder b = new StringBuilder();
    List<TextSpan> spans = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      if (i % 2 == 0) {
        String message = userText(turns.get(i));
        if (i == 0 && !systemText.isEmpty()) {
          message = "<<SYS>>\n" + systemText + "\n<</SYS>>\n\n" + message;
        }
        b.append(sep).append("[INST] ").append(message).append(" [/INST]");
      } else {
        int start = b.length(); // generation starts right after " [/INST]", so the space is learned too
        b.append(' ').append(turns.get(i).text()).append(' ').append(sep2);
        spans.add(new TextSpan(start, b.length()));
      }
    }
    // get_prompt ends with ret.lstrip(sep): Python strips any of sep's characters.
    int cut = 0;
    while (cut < b.length() && sep.indexOf(b.charAt(cut)) >= 0) {
      cut++;
    }
    final int shift = cut;
    List<TextSpan> shifted = spans.stream()
        .map(s -> new TextSpan(s.start() - shift, s.end() - shift)).toList();
    return new RenderedChat(b.substring(cut), shifted);
  }

  private RenderedChat renderMpt(String systemText, List<ChatMessage> turns, boolean generation) {
    StringBuilder b = new StringBuilder(systemText).append(sep);
    List<TextSpan> spans = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      if (i % 2 == 0) {
        b.append(userRole).append(userText(turns.get(i))).append(sep);
      } else {
        b.append(assistantRole);
        int start = b.length();
        b.append(turns.get(i).text()).append(sep);
        spans.add(new TextSpan(start, b.length()));
      }
    }
    if (generation) {
      b.append(assistantRole);
    }
    return new RenderedChat(b.toString(), spans);
  }

  /**
   * Stage-1 pretraining: {@code preprocess_plain} replaces the user turn by the image token alone
   * and appends the caption and {@code sep}; the caption is what is learned.
   */
  private RenderedChat renderPlain(List<ChatMessage> turns) {
    if (turns.size() > 2) {
      throw new IllegalArgumentException("template plain renders one image-caption pair (a user turn"
          + " with the image and at most one assistant caption), got " + turns.size() + " turns");
    }
    int images = turns.get(0).imageCount();
    if (images == 0) {
      throw new IllegalArgumentException("template plain needs an image in the user turn, got 0 images");
    }
    StringBuilder b = new StringBuilder(IMAGE.repeat(images));
    List<TextSpan> spans = new ArrayList<>();
    if (turns.size() == 2) {
      int start = b.length();
      b.append(turns.get(1).text()).append(sep);
      spans.add(new TextSpan(start, b.length()));
    }
    return new RenderedChat(b.toString(), spans);
  }
}
