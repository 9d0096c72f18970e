package dev.llava.orchestrator.rest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.orchestrator.pipeline.ChatException;
import io.grpc.Status;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * OpenAI's error shape {@code {"error":{"message","type","param","code"}}} and the HTTP status for each gRPC
 * status code: 400 bad input, 401 no key, 403 wrong key, 404 unknown model, 429 overload, 503 no backend,
 * 504 deadline.
 */
public final class OpenAiErrors {
  private OpenAiErrors() {}

  public static int httpStatus(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case RESOURCE_EXHAUSTED -> 429;
      case CANCELLED -> 499;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case DEADLINE_EXCEEDED -> 504;
      default -> 500;
    };
  }

  static String type(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION, NOT_FOUND, UNAUTHENTICATED, PERMISSION_DENIED,
          CANCELLED -> "invalid_request_error";
      case RESOURCE_EXHAUSTED -> "rate_limit_error";
      default -> "server_error";
    };
  }

  static String code(Status.Code code) {
    return switch (code) {
      case NOT_FOUND -> "model_not_found";
      case UNAUTHENTICATED -> "missing_api_key";
      case PERMISSION_DENIED -> "invalid_api_key";
      case RESOURCE_EXHAUSTED -> "rate_limit_exceeded";
      case UNAVAILABLE -> "service_unavailable";
      case DEADLINE_EXCEEDED -> "timeout";
      case UNIMPLEMENTED -> "not_implemented";
      case FAILED_PRECONDITION -> "failed_precondition";
      default -> null;
    };
  }

  public static ObjectNode body(ChatException e) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", e.getMessage());
    error.put("type", type(e.code()));
    error.put("param", e.param());
    error.put("code", code(e.code()));
    return root;
  }

  public static Response response(ChatException e) {
    return Response.status(httpStatus(e.code())).type(MediaType.APPLICATION_JSON_TYPE).entity(body(e)).build();
  }
}
