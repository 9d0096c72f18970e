package dev.llava.orchestrator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.proto.v1.ChatMessage;
import dev.llava.proto.v1.ChatPart;
import dev.llava.proto.v1.ChatRequest;
import dev.llava.proto.v1.ImageInput;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.Role;
import dev.llava.proto.v1.SamplingParams;
import dev.llava.proto.v1.StoppingCriteria;

/**
 * Maps an OpenAI chat-completions body to a {@link ChatRequest}. Accepted: {@code model}, {@code messages}
 * (content as a string or as {@code text} / {@code image_url} parts), {@code max_completion_tokens} or
 * {@code max_tokens}, {@code temperature}, {@code top_p}, {@code seed}, {@code stop} (string or list),
 * {@code stream}, {@code stream_options.include_usage}, {@code n} (1 only); {@code top_k} and
 * {@code repetition_penalty} as extensions. {@code user} and other unknown fields are ignored; features this
 * server cannot honour ({@code tools}, {@code logprobs}, non-text {@code response_format}) are refused.
 */
final class OpenAiRequestParser {
  private OpenAiRequestParser() {}

  /** The mapped request and the OpenAI-only options. */
  record Parsed(ChatRequest request, boolean stream, boolean includeUsage) {}

  static Parsed parse(JsonNode root, String requestId) {
    if (root == null || !root.isObject()) {
      throw ChatException.invalid(null, "the request body must be a JSON object");
    }
    ChatRequest.Builder out = ChatRequest.newBuilder().setRequestId(requestId);
    out.setModel(ModelRef.newBuilder().setName(optionalString(root, "model")));
    JsonNode messages = root.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw ChatException.invalid("messages", "'messages' must be a non-empty array");
    }
    for (int i = 0; i < messages.size(); i++) {
      out.addMessages(message(messages.get(i), "messages[" + i + "]"));
    }
    refuseUnsupported(root);
    JsonNode n = root.get("n");
    if (n != null && !n.isNull() && !(n.canConvertToInt() && n.isIntegralNumber() && n.asInt() == 1)) {
      throw ChatException.invalid("n", "only n=1 is supported, got " + n);
    }

    SamplingParams.Builder sampling = SamplingParams.newBuilder();
    Double temperature = number(root, "temperature");
    if (temperature != null) {
      sampling.setTemperature(temperature.floatValue());
    }
    Double topP = number(root, "top_p");
    if (topP != null) {
      sampling.setTopP(topP.floatValue());
    }
    Long topK = integer(root, "top_k");
    if (topK != null) {
      sampling.setTopK(topK.intValue());
    }
    Double repetition = number(root, "repetition_penalty");
    if (repetition != null) {
      sampling.setRepetitionPenalty(repetition.floatValue());
    }
    Long seed = integer(root, "seed");
    if (seed != null) {
      sampling.setSeed(seed);
    }
    out.setSampling(sampling);

    StoppingCriteria.Builder stopping = StoppingCriteria.newBuilder();
    String tokensField = root.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    Long maxTokens = integer(root, tokensField);
    if (maxTokens != null) {
      if (maxTokens < 1 || maxTokens > Integer.MAX_VALUE) {
        throw ChatException.invalid(tokensField, "'" + tokensField + "' must be >= 1, got " + maxTokens);
      }
      stopping.setMaxNewTokens(maxTokens.intValue());
    }
    JsonNode stop = root.get("stop");
    if (stop != null && !stop.isNull()) {
      if (stop.isTextual()) {
        stopping.addStop(stop.asText());
      } else if (stop.isArray()) {
        for (JsonNode s : stop) {
          if (!s.isTextual()) {
            throw ChatException.invalid("stop", "'stop' must be a string or a list of strings, got " + stop);
          }
          stopping.addStop(s.asText());
        }
      } else {
        throw ChatException.invalid("stop", "'stop' must be a string or a list of strings, got " + stop);
      }
    }
    out.setStopping(stopping);

    boolean stream = bool(root, "stream");
    JsonNode options = root.get("stream_options");
    boolean includeUsage = false;
    if (options != null && !options.isNull()) {
      if (!options.isObject()) {
        throw ChatException.invalid("stream_options", "'stream_options' must be an object");
      }
      includeUsage = bool(options, "include_usage");
    }
    return new Parsed(out.build(), stream, includeUsage);
  }

  private static ChatMessage message(JsonNode node, String where) {
    if (!node.isObject()) {
      throw ChatException.invalid(where, where + " must be an object with 'role' and 'content'");
    }
    String role = optionalString(node, "role");
    ChatMessage.Builder message = ChatMessage.newBuilder().setRole(switch (role) {
      case "system", "developer" -> Role.SYSTEM;
      case "user" -> Role.USER;
      case "assistant" -> Role.ASSISTANT;
      case "" -> throw ChatException.invalid(where + ".role", where + ".role is required");
      default -> throw ChatException.invalid(where + ".role", where + ".role must be system, developer, user or "
          + "assistant, got '" + role + "'");
    });
    JsonNode content = node.get("content");
    if (content == null || content.isNull()) {
      if (message.getRole() != Role.ASSISTANT) {
        throw ChatException.invalid(where + ".content", where + ".content is required");
      }
      return message.build();
    }
    if (content.isTextual()) {
      return message.addParts(ChatPart.newBuilder().setText(content.asText())).build();
    }
    if (!content.isArray()) {
      throw ChatException.invalid(where + ".content", where + ".content must be a string or an array of parts");
    }
    for (int i = 0; i < content.size(); i++) {
      message.addParts(part(content.get(i), where + ".content[" + i + "]"));
    }
    return message.build();
  }

  private static ChatPart part(JsonNode part, String where) {
    String type = part.isObject() ? optionalString(part, "type") : "";
    switch (type) {
      case "text": {
        JsonNode text = part.get("text");
        if (text == null || !text.isTextual()) {
          throw ChatException.invalid(where + ".text", where + ".text must be a string");
        }
        return ChatPart.newBuilder().setText(text.asText()).build();
      }
      case "image_url": {
        JsonNode image = part.get("image_url");
        JsonNode url = image == null ? null : image.isTextual() ? image : image.get("url");
        if (url == null || !url.isTextual() || url.asText().isEmpty()) {
          throw ChatException.invalid(where + ".image_url.url", where + ".image_url.url must be a data: or http(s) URL");
        }
        return ChatPart.newBuilder().setImage(ImageInput.newBuilder().setUri(url.asText())).build();
      }
      default:
        throw ChatException.invalid(where + ".type", where + ".type must be 'text' or 'image_url', got '"
            + (type.isEmpty() ? part : type) + "'");
    }
  }

  private static void refuseUnsupported(JsonNode root) {
    for (String field : new String[] {"tools", "functions"}) {
      JsonNode f = root.get(field);
      if (f != null && !f.isNull() && !(f.isArray() && f.isEmpty())) {
        throw ChatException.invalid(field, "'" + field + "' (tool calling) is not supported by this server");
      }
    }
    if (root.path("logprobs").asBoolean(false)) {
      throw ChatException.invalid("logprobs", "'logprobs' is not supported by this server");
    }
    JsonNode format = root.get("response_format");
    if (format != null && !format.isNull() && !"text".equals(format.path("type").asText("text"))) {
      throw ChatException.invalid("response_format", "only response_format type 'text' is supported, got "
          + format.path("type"));
    }
  }

  private static String optionalString(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw ChatException.invalid(field, "'" + field + "' must be a string, got " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return v.asText();
  }

  private static Double number(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw ChatException.invalid(field, "'" + field + "' must be a number, got " + v);
    }
    return v.asDouble();
  }

  private static Long integer(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw ChatException.invalid(field, "'" + field + "' must be an integer, got " + v);
    }
    return v.asLong();
  }

  private static boolean bool(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw ChatException.invalid(field, "'" + field + "' must be true or false, got " + v);
    }
    return v.asBoolean();
  }
}
