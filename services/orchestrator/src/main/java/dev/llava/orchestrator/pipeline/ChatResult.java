package dev.llava.orchestrator.pipeline;

import dev.llava.proto.v1.ChatResponse;
import dev.llava.proto.v1.FinishReason;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.StageTimings;
import dev.llava.proto.v1.Usage;

/** A finished chat: the whole text and what the final chunk carries. */
public record ChatResult(String requestId, ModelRef model, String text, FinishReason finishReason, Usage usage,
    StageTimings timings) {

  /** The final gRPC chunk (no text: deltas were streamed before it). */
  public ChatResponse finalChunk() {
    return ChatResponse.newBuilder().setRequestId(requestId).setModel(model).setFinishReason(finishReason)
        .setUsage(usage).setTimings(timings).build();
  }

  /** The whole answer in one message (Kafka's {@code llava.chat.responses}). */
  public ChatResponse wholeResponse() {
    return finalChunk().toBuilder().setText(text).build();
  }
}
