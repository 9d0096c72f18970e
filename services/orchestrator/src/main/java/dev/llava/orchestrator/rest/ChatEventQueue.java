package dev.llava.orchestrator.rest;

import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.orchestrator.pipeline.ChatListener;
import dev.llava.orchestrator.pipeline.ChatPipeline;
import dev.llava.orchestrator.pipeline.ChatResult;
import io.grpc.Status;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands pipeline events to the HTTP worker thread that writes the response. While it waits, it watches the
 * client's connection: when it closes, the chat is cancelled, which cancels projector-lm's Generate.
 */
final class ChatEventQueue implements ChatListener {
  sealed interface Event permits Text, Done, Failed {}

  record Text(String delta) implements Event {}

  record Done(ChatResult result) implements Event {}

  record Failed(ChatException error) implements Event {}

  private static final long POLL_MILLIS = 50;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

  @Override
  public void onText(String delta) {
    events.add(new Text(delta));
  }

  @Override
  public void onComplete(ChatResult result) {
    events.add(new Done(result));
  }

  @Override
  public void onError(ChatException error) {
    events.add(new Failed(error));
  }

  /** The next event; a closed connection cancels the chat and yields CANCELLED. */
  Event next(ChatPipeline.RunningChat chat, HttpServerResponse connection) {
    try {
      while (true) {
        Event e = events.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (e != null) {
          return e;
        }
        if (connection != null && connection.closed()) {
          chat.cancel();
          return new Failed(new ChatException(Status.Code.CANCELLED, "the client closed the connection"));
        }
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      chat.cancel();
      return new Failed(new ChatException(Status.Code.CANCELLED, "interrupted"));
    }
  }
}
