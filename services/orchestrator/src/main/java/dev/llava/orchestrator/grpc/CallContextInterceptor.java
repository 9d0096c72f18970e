package dev.llava.orchestrator.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * Puts two things the unified Vert.x gRPC server does not give grpc-java code into the call's Context: the
 * caller's deadline (parsed from {@code grpc-timeout}, so backend calls never outlive it) and the stream tag
 * of {@link StreamResetWatcher}.
 */
@GlobalInterceptor
@ApplicationScoped
public class CallContextInterceptor implements ServerInterceptor {
  static final Context.Key<Deadline> DEADLINE = Context.key("llava-caller-deadline");
  static final Context.Key<String> STREAM_TAG = Context.key("llava-stream-tag");
  private static final Metadata.Key<String> TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TAG =
      Metadata.Key.of(StreamResetWatcher.TAG_HEADER, Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Deadline deadline = Context.current().getDeadline();
    if (deadline == null) {
      deadline = parseTimeout(headers.get(TIMEOUT));
    }
    Context context = Context.current().withValues(DEADLINE, deadline, STREAM_TAG, headers.get(TAG));
    return Contexts.interceptCall(context, call, headers, next);
  }

  /** {@code grpc-timeout}: up to 8 digits and a unit (H, M, S, m, u, n). */
  static Deadline parseTimeout(String value) {
    if (value == null || value.length() < 2 || value.length() > 9) {
      return null;
    }
    long amount;
    try {
      amount = Long.parseLong(value.substring(0, value.length() - 1));
    } catch (NumberFormatException e) {
      return null;
    }
    TimeUnit unit = switch (value.charAt(value.length() - 1)) {
      case 'H' -> TimeUnit.HOURS;
      case 'M' -> TimeUnit.MINUTES;
      case 'S' -> TimeUnit.SECONDS;
      case 'm' -> TimeUnit.MILLISECONDS;
      case 'u' -> TimeUnit.MICROSECONDS;
      case 'n' -> TimeUnit.NANOSECONDS;
      default -> null;
    };
    return unit == null ? null : Deadline.after(amount, unit);
  }
}
