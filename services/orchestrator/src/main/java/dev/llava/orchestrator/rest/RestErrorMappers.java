package dev.llava.orchestrator.rest;

import dev.llava.orchestrator.pipeline.ChatException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Any ChatException escaping a REST resource becomes OpenAI error JSON with its HTTP status. */
public class RestErrorMappers {
  @ServerExceptionMapper
  public Response chatException(ChatException e) {
    return OpenAiErrors.response(e);
  }
}
