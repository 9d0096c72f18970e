package dev.llava.lm.grpc;

import dev.llava.engine.lm.GrpcTimeoutInterceptor;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Makes client deadlines reach the scheduler on the unified HTTP/gRPC port, where Vert.x does not turn
 * {@code grpc-timeout} into a Context deadline (see {@link GrpcTimeoutInterceptor}).
 */
@GlobalInterceptor
@ApplicationScoped
public class DeadlineHeaderInterceptor implements ServerInterceptor {
  private final GrpcTimeoutInterceptor delegate = new GrpcTimeoutInterceptor();

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    return delegate.interceptCall(call, headers, next);
  }
}
