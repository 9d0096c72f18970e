package dev.llava.orchestrator.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.orchestrator.pipeline.ChatPipeline;
import dev.llava.orchestrator.rest.ChatEventQueue.Done;
import dev.llava.orchestrator.rest.ChatEventQueue.Event;
import dev.llava.orchestrator.rest.ChatEventQueue.Failed;
import dev.llava.orchestrator.rest.ChatEventQueue.Text;
import io.grpc.Status;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes one chat as OpenAI server-sent events: a first chunk with the assistant role, one chunk per text
 * delta, a chunk with the finish reason (plus {@code llava_timings}), the usage chunk when asked, then
 * {@code data: [DONE]}. A failure after the first byte is sent as an {@code error} event (the status line is
 * already gone). A client that disconnects cancels the chat.
 */
final class SseChatStream implements StreamingOutput {
  private final ObjectMapper json;
  private final ChatPipeline.RunningChat chat;
  private final ChatEventQueue events;
  private final Event first;
  private final HttpServerResponse connection;
  private final String id;
  private final long created;
  private final String model;
  private final boolean includeUsage;

  SseChatStream(ObjectMapper json, ChatPipeline.RunningChat chat, ChatEventQueue events, Event first,
      HttpServerResponse connection, String id, long created, String model, boolean includeUsage) {
    this.json = json;
    this.chat = chat;
    this.events = events;
    this.first = first;
    this.connection = connection;
    this.id = id;
    this.created = created;
    this.model = model;
    this.includeUsage = includeUsage;
  }

  @Override
  public void write(OutputStream out) throws IOException {
    try {
      send(out, OpenAiResponses.chunk(id, created, model, OpenAiResponses.roleDelta(), null, includeUsage));
      Event event = first;
      while (true) {
        if (event instanceof Text text) {
          send(out, OpenAiResponses.chunk(id, created, model, OpenAiResponses.contentDelta(text.delta()), null,
              includeUsage));
        } else if (event instanceof Done done) {
          ObjectNode last = OpenAiResponses.chunk(id, created, model, null,
              OpenAiResponses.finishReason(done.result().finishReason()), includeUsage);
          last.set("llava_timings", OpenAiResponses.timings(done.result().timings()));
          send(out, last);
          if (includeUsage) {
            send(out, OpenAiResponses.usageChunk(id, created, model, done.result().usage()));
          }
          sendRaw(out, "data: [DONE]\n\n");
          return;
        } else if (event instanceof Failed failed) {
          if (failed.error().code() != Status.Code.CANCELLED) {
            send(out, OpenAiErrors.body(failed.error()));
          }
          return;
        }
        event = events.next(chat, connection);
      }
    } catch (IOException | RuntimeException e) {
      chat.cancel(); // the client is gone (or writing failed): stop generating for nobody
      throw e;
    }
  }

  private void send(OutputStream out, ObjectNode node) throws IOException {
    sendRaw(out, "data: " + json.writeValueAsString(node) + "\n\n");
  }

  private static void sendRaw(OutputStream out, String frame) throws IOException {
    out.write(frame.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
