package dev.llava.model.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Turns a conversation into prompt text. Two kinds: the checkpoint's own Jinja template (what
 * transformers' {@code apply_chat_template} renders) and LLaVA's named conversation templates from
 * the reference repository ({@code vicuna_v1}, {@code llava_v1}, {@code mistral_instruct},
 * {@code chatml_direct}, {@code plain}). A checkpoint's own template wins when it has one.
 */
public interface ChatTemplate {

  /** A short name for logs: the named template's key, or where the Jinja source came from. */
  String name();

  /** Renders {@code messages}; with {@code addGenerationPrompt} the text ends where the answer starts. */
  String render(List<ChatMessage> messages, boolean addGenerationPrompt);

  /**
   * Renders a complete conversation (no generation prompt) and marks every assistant answer
   * together with the text that ends it, for training label masks.
   */
  RenderedChat renderForTraining(List<ChatMessage> messages);

  /** The prompt for generating the next assistant turn. */
  default String prompt(List<ChatMessage> messages) {
    return render(messages, true);
  }

  /** One of LLaVA's conversation templates by its conversation.py key. */
  static ChatTemplate named(String name) {
    return ConversationTemplate.named(name);
  }

  /** The checkpoint's Jinja chat template, if any of its files carries one. */
  static Optional<ChatTemplate> fromCheckpoint(Path checkpointDir) throws IOException {
    return JinjaChatTemplate.fromCheckpoint(checkpointDir).map(t -> t);
  }
}
