package dev.llava.orchestrator.auth;

import dev.llava.orchestrator.metrics.OrchestratorMetrics;
import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.orchestrator.rest.OpenAiErrors;
import io.grpc.Status;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Requires {@code Authorization: Bearer <key>} on the OpenAI API ({@code /v1/*}): 401 without a key, 403 with
 * an unknown one, in OpenAI's error shape. {@code /q/health} and {@code /q/metrics} are not REST resources and
 * stay open.
 */
public class RestApiKeyFilter {
  @Inject
  ApiKeys keys;

  @Inject
  OrchestratorMetrics metrics;

  @ServerRequestFilter
  public Response authenticate(ContainerRequestContext request) {
    if (!keys.enabled() || !request.getUriInfo().getPath().startsWith("/v1")) {
      return null;
    }
    ChatException refusal = switch (keys.check(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
      case ACCEPTED -> null;
      case MISSING -> new ChatException(Status.Code.UNAUTHENTICATED,
          "missing API key: send 'Authorization: Bearer <key>'");
      case REJECTED -> new ChatException(Status.Code.PERMISSION_DENIED, "the API key is not valid for this server");
    };
    if (refusal == null) {
      return null;
    }
    metrics.rejected("rest", refusal.code());
    return OpenAiErrors.response(refusal);
  }
}
