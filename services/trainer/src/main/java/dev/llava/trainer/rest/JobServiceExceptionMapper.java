package dev.llava.trainer.rest;

import dev.llava.trainer.jobs.JobServiceException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.LinkedHashMap;
import java.util.Map;

/** A refused request as JSON with the HTTP status of its reason (the gRPC code's name is in {@code status}). */
@Provider
public class JobServiceExceptionMapper implements ExceptionMapper<JobServiceException> {
  /** Seconds a client waits before retrying a full queue or an unavailable runner. */
  static final int RETRY_AFTER_SECONDS = 30;

  @Override
  public Response toResponse(JobServiceException e) {
    int code = switch (e.reason()) {
      case INVALID_ARGUMENT -> 400;
      case NOT_FOUND -> 404;
      case FAILED_PRECONDITION -> 409;
      case RESOURCE_EXHAUSTED -> 429;
      case UNAVAILABLE -> 503;
    };
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("status", e.reason().name());
    error.put("message", e.getMessage());
    error.put("problems", e.problems());
    Response.ResponseBuilder r = Response.status(code).type(MediaType.APPLICATION_JSON)
        .entity(Map.of("error", error));
    if (code == 429 || code == 503) {
      r.header("Retry-After", RETRY_AFTER_SECONDS);
    }
    return r.build();
  }
}
