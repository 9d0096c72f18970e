package dev.llava.orchestrator.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.orchestrator.pipeline.ChatPipeline;
import dev.llava.orchestrator.pipeline.TimingsHeader;
import dev.llava.orchestrator.rest.ChatEventQueue.Done;
import dev.llava.orchestrator.rest.ChatEventQueue.Event;
import dev.llava.orchestrator.rest.ChatEventQueue.Failed;
import dev.llava.orchestrator.rest.ChatEventQueue.Text;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;

/**
 * {@code POST /v1/chat/completions}, OpenAI-compatible. Runs on a worker thread: it waits for the pipeline's
 * first event before committing the status line, so bad images, unknown models and overload get their proper
 * HTTP status even when {@code stream} is true.
 */
@Path("/v1/chat/completions")
public class ChatCompletionsResource {

  @Inject
  ChatPipeline pipeline;

  @Inject
  ObjectMapper json;

  @POST
  @Consumes(MediaType.WILDCARD)
  public Response complete(String body, @Context HttpServerResponse connection) {
    JsonNode root;
    try {
      root = json.readTree(body == null ? "" : body);
    } catch (JsonProcessingException e) {
      return OpenAiErrors.response(ChatException.invalid(null, "the request body is not valid JSON: "
          + e.getOriginalMessage()));
    }
    String requestId = ChatPipeline.newRequestId();
    OpenAiRequestParser.Parsed parsed;
    try {
      parsed = OpenAiRequestParser.parse(root, requestId);
    } catch (ChatException e) {
      return OpenAiErrors.response(e);
    }
    String id = "chatcmpl-" + requestId;
    long created = Instant.now().getEpochSecond();
    ChatEventQueue events = new ChatEventQueue();
    ChatPipeline.RunningChat chat = pipeline.start(parsed.request(), "rest", null, events);
    Event first = events.next(chat, connection);
    if (first instanceof Failed failed) {
      return OpenAiErrors.response(failed.error());
    }
    if (parsed.stream()) {
      String model = chat.model().getName();
      return Response.ok(new SseChatStream(json, chat, events, first, connection, id, created, model,
              parsed.includeUsage()))
          .type("text/event-stream")
          .header("Cache-Control", "no-cache")
          .header("X-Accel-Buffering", "no")
          .build();
    }
    Event event = first;
    while (event instanceof Text) {
      event = events.next(chat, connection);
    }
    if (event instanceof Failed failed) {
      return OpenAiErrors.response(failed.error());
    }
    Done done = (Done) event;
    return Response.ok(OpenAiResponses.completion(id, created, done.result()), MediaType.APPLICATION_JSON_TYPE)
        .header(TimingsHeader.NAME, TimingsHeader.format(done.result().timings()))
        .build();
  }
}
