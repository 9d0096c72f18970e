package dev.llava.trainer.grpc;

import io.grpc.ServerCall;
import io.vertx.grpc.server.GrpcServerRequest;
import java.lang.reflect.Field;
import org.jboss.logging.Logger;

/**
 * Tells a server-streaming call that its client went away, on Quarkus' unified gRPC server (Vert.x 4.5 bridge).
 * There a client's cancel (RST_STREAM) of a call whose request has ended never reaches {@code onCancel}
 * (vert.x#5562, quarkus#56268), and the next message written to the reset stream tears down the client's whole
 * HTTP/2 connection. Vert.x does report the reset to the HTTP response's exception handler, so this finds the
 * bridge's call under the stream observer (the {@code ServerCall} fields of grpc-java's observer and of any
 * forwarding wrappers) and registers {@code onReset} there.
 *
 * <p>Best effort and local to one class: on any other server (grpc-java's, or a Vert.x that changed) it does
 * nothing and says so once; {@code ServerCallStreamObserver.setOnCancelHandler} still applies.
 */
final class StreamResetHook {
  private static final Logger LOG = Logger.getLogger(StreamResetHook.class);
  private static final String BRIDGE_CALL = "io.vertx.grpc.server.impl.GrpcServiceBridgeImpl$ServerCallImpl";
  private static volatile boolean warned;

  private StreamResetHook() {}

  /** Registers {@code onReset}; false when the observer is not served by the Vert.x bridge. */
  static boolean register(Object streamObserver, Runnable onReset) {
    try {
      Object call = serverCallIn(streamObserver);
      for (int depth = 0; call != null && depth < 10; depth++) {
        if (call.getClass().getName().equals(BRIDGE_CALL)) {
          Field req = call.getClass().getDeclaredField("req");
          req.setAccessible(true);
          ((GrpcServerRequest<?, ?>) req.get(call)).response().exceptionHandler(reset -> onReset.run());
          return true;
        }
        call = serverCallIn(call);
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      warnOnce("cannot hook stream resets (" + e + ")");
      return false;
    }
    return false;
  }

  /** The first field holding a {@link ServerCall} in {@code o}'s class or its superclasses. */
  private static Object serverCallIn(Object o) throws IllegalAccessException {
    for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (ServerCall.class.isAssignableFrom(f.getType())) {
          f.setAccessible(true);
          Object value = f.get(o);
          if (value != null && value != o) {
            return value;
          }
        }
      }
    }
    return null;
  }

  private static void warnOnce(String message) {
    if (!warned) {
      warned = true;
      LOG.warn(message + "; a WatchJob client that cancels stays attached until its job ends");
    }
  }
}
