package dev.llava.orchestrator.kafka;

import dev.llava.orchestrator.pipeline.ChatResult;
import io.grpc.Status;

/** What became of one request record: a response to publish, or a poison record for the dead-letter topic. */
sealed interface ChatRecordOutcome {
  /** The key the outputs are published under (the request id). */
  String requestId();

  record Answered(String requestId, ChatResult result) implements ChatRecordOutcome {}

  record DeadLetter(String requestId, Status.Code code, String reason) implements ChatRecordOutcome {}
}
