package dev.llava.orchestrator.pipeline;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

/**
 * A request failure with the gRPC status code that describes it. The REST layer maps the code to an HTTP
 * status and OpenAI error JSON, the Kafka worker decides between retry and dead-letter by it.
 */
public class ChatException extends RuntimeException {
  private final Status.Code code;
  private final String param;

  public ChatException(Status.Code code, String message) {
    this(code, message, null, null);
  }

  public ChatException(Status.Code code, String message, String param) {
    this(code, message, param, null);
  }

  public ChatException(Status.Code code, String message, String param, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.param = param;
  }

  public static ChatException invalid(String message) {
    return new ChatException(Status.Code.INVALID_ARGUMENT, message);
  }

  public static ChatException invalid(String param, String message) {
    return new ChatException(Status.Code.INVALID_ARGUMENT, message, param);
  }

  /** The status code (never OK). */
  public Status.Code code() {
    return code;
  }

  /** The offending request field in OpenAI notation ({@code messages[0].content}), or null. */
  public String param() {
    return param;
  }

  public StatusRuntimeException toStatus() {
    return Status.fromCode(code).withDescription(getMessage()).asRuntimeException();
  }

  /** Whatever went wrong, as a ChatException (unexpected failures become INTERNAL). */
  public static ChatException from(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof java.util.concurrent.CompletionException
        || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ChatException ce) {
      return ce;
    }
    if (cause instanceof StatusRuntimeException sre) {
      return new ChatException(sre.getStatus().getCode(), describe(sre.getStatus()), null, sre);
    }
    if (cause instanceof StatusException se) {
      return new ChatException(se.getStatus().getCode(), describe(se.getStatus()), null, se);
    }
    if (cause instanceof java.util.concurrent.CancellationException) {
      return new ChatException(Status.Code.CANCELLED, "request cancelled", null, cause);
    }
    return new ChatException(Status.Code.INTERNAL, "internal error: " + cause, null, cause);
  }

  private static String describe(Status status) {
    return status.getDescription() != null ? status.getDescription() : status.getCode().name();
  }
}
