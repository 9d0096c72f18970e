package dev.llava.orchestrator.limits;

import dev.llava.orchestrator.config.OrchestratorConfig;
import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.proto.v1.ChatMessage;
import dev.llava.proto.v1.ChatPart;
import dev.llava.proto.v1.ChatRequest;
import dev.llava.proto.v1.Role;
import dev.llava.proto.v1.SamplingParams;
import dev.llava.proto.v1.StoppingCriteria;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Checks a request's shape and the configured limits before any backend is called. Every message names the
 * field, the limit's property and both numbers. Image bytes and pixels are checked per image by the resolver.
 */
@ApplicationScoped
public class RequestValidator {
  private static final String P = "llava.orchestrator.limits.";
  private final OrchestratorConfig.Limits limits;

  @Inject
  public RequestValidator(OrchestratorConfig config) {
    this.limits = config.limits();
  }

  public void validate(ChatRequest request) {
    if (request.getMessagesCount() == 0) {
      throw ChatException.invalid("messages", "messages must contain at least one message");
    }
    if (request.getMessagesCount() > limits.maxMessages()) {
      throw ChatException.invalid("messages", "request has " + request.getMessagesCount() + " messages; the limit "
          + P + "max-messages is " + limits.maxMessages());
    }
    int images = 0;
    long chars = 0;
    for (int m = 0; m < request.getMessagesCount(); m++) {
      ChatMessage message = request.getMessages(m);
      if (message.getRole() == Role.ROLE_UNSPECIFIED || message.getRole() == Role.UNRECOGNIZED) {
        throw ChatException.invalid("messages[" + m + "].role",
            "messages[" + m + "].role must be SYSTEM, USER or ASSISTANT");
      }
      for (int p = 0; p < message.getPartsCount(); p++) {
        ChatPart part = message.getParts(p);
        switch (part.getPartCase()) {
          case TEXT -> chars += part.getText().length();
          case IMAGE -> {
            images++;
            if (message.getRole() != Role.USER) {
              throw ChatException.invalid("messages[" + m + "]", "images are only accepted in user messages, "
                  + "messages[" + m + "] is " + message.getRole());
            }
          }
          default -> throw ChatException.invalid("messages[" + m + "].parts[" + p + "]",
              "messages[" + m + "].parts[" + p + "] has neither text nor an image");
        }
      }
    }
    if (images > limits.maxImagesPerRequest()) {
      throw ChatException.invalid("messages", "request has " + images + " images; the limit " + P
          + "max-images-per-request is " + limits.maxImagesPerRequest());
    }
    if (chars > limits.maxPromptChars()) {
      throw ChatException.invalid("messages", "request text is " + chars + " characters; the limit " + P
          + "max-prompt-chars is " + limits.maxPromptChars());
    }
    validateSampling(request.getSampling());
    validateStopping(request.getStopping());
  }

  private void validateSampling(SamplingParams s) {
    if (!(s.getTemperature() >= 0 && s.getTemperature() <= 2)) {
      throw ChatException.invalid("temperature", "temperature must be in [0, 2], got " + s.getTemperature());
    }
    if (!(s.getTopP() >= 0 && s.getTopP() <= 1)) {
      throw ChatException.invalid("top_p", "top_p must be in [0, 1], got " + s.getTopP());
    }
    if (s.getTopK() < 0) {
      throw ChatException.invalid("top_k", "top_k must be >= 0, got " + s.getTopK());
    }
    if (s.getRepetitionPenalty() < 0) {
      throw ChatException.invalid("repetition_penalty",
          "repetition_penalty must be > 0 (0 or 1 disables), got " + s.getRepetitionPenalty());
    }
  }

  private void validateStopping(StoppingCriteria s) {
    if (s.getMaxNewTokens() < 0) {
      throw ChatException.invalid("max_tokens", "max_tokens must be >= 1, got " + s.getMaxNewTokens());
    }
    if (s.getMaxNewTokens() > limits.maxNewTokens()) {
      throw ChatException.invalid("max_tokens", "max_tokens is " + s.getMaxNewTokens() + "; the limit " + P
          + "max-new-tokens is " + limits.maxNewTokens());
    }
    if (s.getStopCount() > limits.maxStopStrings()) {
      throw ChatException.invalid("stop", "request has " + s.getStopCount() + " stop strings; the limit " + P
          + "max-stop-strings is " + limits.maxStopStrings());
    }
    for (int i = 0; i < s.getStopCount(); i++) {
      if (s.getStop(i).isEmpty()) {
        throw ChatException.invalid("stop", "stop[" + i + "] is empty; stop strings need at least one character");
      }
    }
  }

  /** Checked after Generator.CountTokens when {@code max-prompt-tokens} is set. */
  public void validatePromptTokens(int promptTokens) {
    if (limits.maxPromptTokens().isPresent() && promptTokens > limits.maxPromptTokens().get()) {
      throw ChatException.invalid("messages", "prompt is " + promptTokens + " tokens (image tokens included); the limit "
          + P + "max-prompt-tokens is " + limits.maxPromptTokens().get());
    }
  }

  public boolean countsPromptTokens() {
    return limits.maxPromptTokens().isPresent();
  }
}
