package dev.llava.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** The OpenAI-compatible REST API with {@code stream: true} (server-sent events). */
public final class HttpSseChatTarget implements ChatTarget {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI uri;
  private final String model;
  private final String apiKey;

  public HttpSseChatTarget(String baseUrl, String model, String apiKey) {
    this.uri = URI.create(baseUrl.replaceAll("/+$", "") + "/v1/chat/completions");
    this.model = model;
    this.apiKey = apiKey;
  }

  @Override
  public RequestResult send(RequestSpec spec, long dueNanos) {
    TokenTimer timer = new TokenTimer(dueNanos);
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10))
          .header("Content-Type", "application/json").header("Accept", "text/event-stream")
          .POST(HttpRequest.BodyPublishers.ofString(body(spec)));
      if (apiKey != null && !apiKey.isEmpty()) {
        request.header("Authorization", "Bearer " + apiKey);
      }
      HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        if (response.statusCode() != 200) {
          lines.lines().count();
          return timer.finish(spec, "HTTP_" + response.statusCode());
        }
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (!line.startsWith("data:")) {
            continue;
          }
          String data = line.substring(5).trim();
          if (data.equals("[DONE]")) {
            break;
          }
          JsonNode chunk = JSON.readTree(data);
          for (JsonNode choice : chunk.path("choices")) {
            String delta = choice.path("delta").path("content").asText("");
            timer.onChunk(delta, delta.isEmpty() ? 0 : 1);
          }
          if (chunk.hasNonNull("usage")) {
            timer.tokens = chunk.get("usage").path("completion_tokens").asInt(timer.tokens);
          }
          if (chunk.hasNonNull("llava_timings")) {
            timer.stages = ServerStages.of(chunk.get("llava_timings"));
          }
        }
      }
      return timer.finish(spec, "OK");
    } catch (IOException e) {
      return timer.finish(spec, "IO_ERROR");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return timer.finish(spec, "INTERRUPTED");
    }
  }

  private String body(RequestSpec spec) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    if (model != null) {
      body.put("model", model);
    }
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    body.put("max_tokens", spec.maxTokens());
    body.put("temperature", 0);
    ArrayNode content = body.putArray("messages").addObject().put("role", "user").putArray("content");
    if (spec.image() != null) {
      content.addObject().put("type", "image_url").putObject("image_url")
          .put("url", "data:image/png;base64," + Base64.getEncoder().encodeToString(spec.image()));
    }
    content.addObject().put("type", "text").put("text", spec.question());
    return JSON.writeValueAsString(body);
  }

  @Override
  public String describe() {
    return uri.toString();
  }
}
