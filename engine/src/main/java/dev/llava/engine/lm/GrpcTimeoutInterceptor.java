package dev.llava.engine.lm;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.TimeUnit;

/**
 * Reads the client's {@code grpc-timeout} header into {@link #DEADLINE_NANOS} for transports that do not turn it
 * into a {@link Context} deadline (Quarkus' unified HTTP/gRPC server on Vert.x 4.5 neither sets a deadline nor
 * reports cancellation of a server-streaming call once its request has ended). The adapter hands the earlier of
 * the two deadlines to the scheduler, which enforces it itself.
 */
public final class GrpcTimeoutInterceptor implements ServerInterceptor {
  /** {@link System#nanoTime()} at which the call's deadline passes. */
  public static final Context.Key<Long> DEADLINE_NANOS = Context.key("llava-deadline-nanos");
  static final Metadata.Key<String> TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String timeout = headers.get(TIMEOUT);
    long nanos = timeout == null ? -1 : parse(timeout);
    if (nanos < 0) {
      return next.startCall(call, headers);
    }
    Context context = Context.current().withValue(DEADLINE_NANOS, System.nanoTime() + nanos);
    return Contexts.interceptCall(context, call, headers, next);
  }

  /** gRPC's TimeoutValue: at most 8 digits and a unit H, M, S, m, u or n; -1 when malformed. */
  static long parse(String value) {
    if (value.length() < 2 || value.length() > 9) {
      return -1;
    }
    long amount;
    try {
      amount = Long.parseLong(value.substring(0, value.length() - 1));
    } catch (NumberFormatException e) {
      return -1;
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
    return unit == null || amount < 0 ? -1 : unit.toNanos(amount);
  }
}
