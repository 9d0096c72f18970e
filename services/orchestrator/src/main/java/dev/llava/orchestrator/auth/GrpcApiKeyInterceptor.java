package dev.llava.orchestrator.auth;

import dev.llava.orchestrator.metrics.OrchestratorMetrics;
import dev.llava.proto.v1.ChatGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Requires an API key in the {@code authorization} metadata ({@code Bearer <key>}) on the public Chat
 * service; other services (gRPC health, reflection) stay open like {@code /q/health}.
 */
@GlobalInterceptor
@ApplicationScoped
public class GrpcApiKeyInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @Inject
  ApiKeys keys;

  @Inject
  OrchestratorMetrics metrics;

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    if (!keys.enabled() || !ChatGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    Status refusal = switch (keys.check(headers.get(AUTHORIZATION))) {
      case ACCEPTED -> null;
      case MISSING -> Status.UNAUTHENTICATED.withDescription(
          "missing API key: send metadata 'authorization: Bearer <key>'");
      case REJECTED -> Status.PERMISSION_DENIED.withDescription("the API key is not valid for this server");
    };
    if (refusal == null) {
      return next.startCall(call, headers);
    }
    metrics.rejected("grpc", refusal.getCode());
    call.close(refusal, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
