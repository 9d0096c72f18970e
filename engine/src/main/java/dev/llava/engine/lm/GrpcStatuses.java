package dev.llava.engine.lm;

import dev.llava.engine.vision.OverloadedException;
import io.grpc.Status;

/** The engine's exceptions as gRPC statuses, with the exception's message as description. */
public final class GrpcStatuses {
  private GrpcStatuses() {}

  public static Status of(Throwable e) {
    Status status;
    if (e instanceof IllegalArgumentException) {
      status = Status.INVALID_ARGUMENT;
    } else if (e instanceof OverloadedException) {
      status = Status.RESOURCE_EXHAUSTED;
    } else if (e instanceof UnknownModelException) {
      status = Status.NOT_FOUND;
    } else if (e instanceof RevisionMismatchException) {
      status = Status.FAILED_PRECONDITION;
    } else if (e instanceof IllegalStateException) {
      status = Status.UNAVAILABLE;
    } else {
      status = Status.INTERNAL;
    }
    return status.withDescription(e.getMessage()).withCause(e);
  }
}
