package dev.llava.orchestrator.grpc;

import dev.llava.proto.v1.ChatGrpc;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers client cancellation of {@code Chat/Complete} streams, which the unified Vert.x gRPC server drops:
 * an HTTP/2 RST_STREAM that arrives after the client half-closed is never passed to the grpc-java bridge
 * (eclipse-vertx/vert.x#5562, quarkusio/quarkus#46986), so {@code onCancelHandler} and Context cancellation
 * never fire. A router filter ahead of the gRPC route tags each such stream with a header and watches the
 * HTTP/2 stream's close; a close before the response ended is the client's cancel.
 */
@ApplicationScoped
public class StreamResetWatcher {
  static final String TAG_HEADER = "x-llava-stream-tag";
  /** After Quarkus' body handler, before the gRPC route (registered with the default order, >= 0). */
  private static final int FILTER_ORDER = -1000;
  private static final String COMPLETE_PATH = "/" + ChatGrpc.getCompleteMethod().getFullMethodName();

  private final Map<String, Runnable> onReset = new ConcurrentHashMap<>();

  void install(@Observes Router router) {
    router.route().order(FILTER_ORDER).handler(rc -> {
      String contentType = rc.request().getHeader("content-type");
      if (contentType != null && contentType.startsWith("application/grpc")
          && COMPLETE_PATH.equals(rc.request().path())) {
        String tag = UUID.randomUUID().toString();
        rc.request().headers().set(TAG_HEADER, tag);
        rc.response().closeHandler(v -> {
          Runnable cancel = onReset.remove(tag);
          if (cancel != null) {
            cancel.run();
          }
        });
      }
      rc.next();
    });
  }

  /** Runs {@code cancel} if the stream tagged {@code tag} is reset; call {@link #forget} when the call ends. */
  void watch(String tag, Runnable cancel) {
    if (tag != null) {
      onReset.put(tag, cancel);
    }
  }

  void forget(String tag) {
    if (tag != null) {
      onReset.remove(tag);
    }
  }
}
