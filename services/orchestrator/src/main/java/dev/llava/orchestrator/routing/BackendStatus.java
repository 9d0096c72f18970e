package dev.llava.orchestrator.routing;

import dev.llava.orchestrator.pipeline.ChatException;
import io.grpc.Status;

/**
 * Maps a backend's gRPC status to the status the orchestrator's caller sees. The client's own mistakes
 * (INVALID_ARGUMENT, NOT_FOUND...) pass through with the backend's message; the platform's problems
 * (a backend rejecting our credentials, crashing) become INTERNAL so clients do not act on them.
 */
public final class BackendStatus {
  private BackendStatus() {}

  public static ChatException toChatException(String backend, Status status) {
    String detail = status.getDescription() != null ? status.getDescription() : status.getCode().name();
    Status.Code code = switch (status.getCode()) {
      case INVALID_ARGUMENT, OUT_OF_RANGE -> Status.Code.INVALID_ARGUMENT;
      case NOT_FOUND, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, UNAVAILABLE, CANCELLED,
          UNIMPLEMENTED -> status.getCode();
      default -> Status.Code.INTERNAL;
    };
    return new ChatException(code, backend + ": " + detail, null, status.asRuntimeException());
  }
}
