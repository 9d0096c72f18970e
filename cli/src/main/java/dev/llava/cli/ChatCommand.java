package dev.llava.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;

/**
 * {@code bin/llava chat --image FILE "question"}: streams an answer from a running platform through its
 * OpenAI-compatible REST API (server-sent events), printing text as it arrives.
 */
final class ChatCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChatCommand() {}

  static void register() {
    Main.register("chat", "ask the running platform about images (streams the answer)", ChatCommand::run);
  }

  static int run(String[] argv, PrintStream out) throws Exception {
    Args a = new Args("chat", argv, 0, Set.of("url", "image", "model", "api-key", "max-tokens", "temperature"),
        Set.of("usage"));
    if (a.positional().isEmpty()) {
      throw new CliException("give the question as an argument, e.g. bin/llava chat --image cat.png \"What is this?\"");
    }
    String question = String.join(" ", a.positional());
    ObjectNode body = JSON.createObjectNode();
    if (a.get("model", null) != null) {
      body.put("model", a.get("model", null));
    }
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    body.put("max_tokens", a.intValue("max-tokens", 256));
    body.put("temperature", a.doubleValue("temperature", 0));
    ArrayNode content = body.putArray("messages").addObject().put("role", "user").putArray("content");
    for (String image : a.all("image")) {
      Path p = Args.existingFile("chat", "--image", image);
      String url = "data:" + mimeType(p) + ";base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(p));
      content.addObject().put("type", "image_url").putObject("image_url").put("url", url);
    }
    content.addObject().put("type", "text").put("text", question);

    String base = a.get("url", "http://localhost:8080").replaceAll("/+$", "");
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .header("Content-Type", "application/json").header("Accept", "text/event-stream")
        .timeout(Duration.ofMinutes(10))
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (a.get("api-key", System.getenv("LLAVA_API_KEY")) != null) {
      request.header("Authorization", "Bearer " + a.get("api-key", System.getenv("LLAVA_API_KEY")));
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<java.io.InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (java.net.ConnectException e) {
      throw new CliException("cannot reach " + base + " (is the platform running? start it with bin/llava up)");
    }
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      if (response.statusCode() != 200) {
        String error = lines.lines().reduce("", String::concat);
        throw new CliException("HTTP " + response.statusCode() + ": " + errorMessage(error));
      }
      JsonNode usage = null;
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
          out.print(delta);
          out.flush();
        }
        if (chunk.hasNonNull("usage")) {
          usage = chunk.get("usage");
        }
      }
      out.println();
      if (a.flag("usage") && usage != null) {
        out.println(usage.toString());
      }
    }
    return 0;
  }

  private static String errorMessage(String body) {
    try {
      return JSON.readTree(body).path("error").path("message").asText(body);
    } catch (Exception e) {
      return body;
    }
  }

  private static String mimeType(Path p) {
    String n = p.getFileName().toString().toLowerCase();
    if (n.endsWith(".jpg") || n.endsWith(".jpeg")) return "image/jpeg";
    if (n.endsWith(".webp")) return "image/webp";
    if (n.endsWith(".gif")) return "image/gif";
    if (n.endsWith(".bmp")) return "image/bmp";
    return "image/png";
  }
}
