package dev.llava.orchestrator.rest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.orchestrator.pipeline.ChatResult;
import dev.llava.proto.v1.FinishReason;
import dev.llava.proto.v1.StageTimings;
import dev.llava.proto.v1.Usage;

/** The exact OpenAI response shapes: {@code chat.completion} and {@code chat.completion.chunk}. */
final class OpenAiResponses {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private OpenAiResponses() {}

  static String finishReason(FinishReason reason) {
    return reason == FinishReason.LENGTH ? "length" : "stop";
  }

  static ObjectNode completion(String id, long created, ChatResult result) {
    ObjectNode root = JSON.objectNode();
    root.put("id", id);
    root.put("object", "chat.completion");
    root.put("created", created);
    root.put("model", result.model().getName());
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", result.text());
    message.putNull("refusal");
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(result.finishReason()));
    root.set("usage", usage(result.usage()));
    root.putNull("system_fingerprint");
    return root;
  }

  /** A chunk with one choice; {@code delta} null means {@code {}} and a finish reason is set. */
  static ObjectNode chunk(String id, long created, String model, ObjectNode delta, String finishReason,
      boolean includeUsage) {
    ObjectNode root = JSON.objectNode();
    root.put("id", id);
    root.put("object", "chat.completion.chunk");
    root.put("created", created);
    root.put("model", model);
    root.putNull("system_fingerprint");
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("delta", delta == null ? JSON.objectNode() : delta);
    choice.putNull("logprobs");
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason);
    }
    if (includeUsage) {
      root.putNull("usage");
    }
    return root;
  }

  static ObjectNode roleDelta() {
    ObjectNode delta = JSON.objectNode();
    delta.put("role", "assistant");
    delta.put("content", "");
    return delta;
  }

  static ObjectNode contentDelta(String text) {
    ObjectNode delta = JSON.objectNode();
    delta.put("content", text);
    return delta;
  }

  /** The extra last chunk of {@code stream_options.include_usage}: no choices, the usage. */
  static ObjectNode usageChunk(String id, long created, String model, Usage usage) {
    ObjectNode root = JSON.objectNode();
    root.put("id", id);
    root.put("object", "chat.completion.chunk");
    root.put("created", created);
    root.put("model", model);
    root.putNull("system_fingerprint");
    root.putArray("choices");
    root.set("usage", usage(usage));
    return root;
  }

  static ObjectNode usage(Usage usage) {
    ObjectNode node = JSON.objectNode();
    node.put("prompt_tokens", usage.getPromptTokens());
    node.put("completion_tokens", usage.getCompletionTokens());
    node.put("total_tokens", usage.getTotalTokens());
    return node;
  }

  /** Stage timings in milliseconds, the streaming counterpart of the {@code X-LLaVA-Timings} header. */
  static ObjectNode timings(StageTimings t) {
    ObjectNode node = JSON.objectNode();
    node.put("image_decode_ms", t.getImageDecodeMs());
    node.put("preprocess_ms", t.getPreprocessMs());
    node.put("encode_ms", t.getEncodeMs());
    node.put("queue_ms", t.getQueueMs());
    node.put("project_ms", t.getProjectMs());
    node.put("prefill_ms", t.getPrefillMs());
    node.put("first_token_ms", t.getFirstTokenMs());
    node.put("decode_ms", t.getDecodeMs());
    node.put("total_ms", t.getTotalMs());
    return node;
  }
}
