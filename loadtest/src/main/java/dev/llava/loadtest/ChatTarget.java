package dev.llava.loadtest;

/** Where requests go: the platform over gRPC or HTTP/SSE, or the engines in this process. */
public interface ChatTarget extends AutoCloseable {
  /** Sends one request and blocks until its last token; never throws for a failed request. */
  RequestResult send(RequestSpec spec, long dueNanos);

  String describe();

  @Override
  default void close() throws Exception {}
}
