package dev.llava.orchestrator.rest;

import static dev.llava.orchestrator.testing.Clients.chatBody;
import static dev.llava.orchestrator.testing.Clients.rest;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llava.orchestrator.routing.BackendClient;
import dev.llava.orchestrator.testing.Clients;
import dev.llava.orchestrator.testing.ScriptedGenerator;
import dev.llava.orchestrator.testing.TestBackends;
import dev.llava.orchestrator.testing.TestBackendsResource;
import dev.llava.orchestrator.testing.TestImages;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.testing.KafkaTestResource;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(TestBackendsResource.class)
class ChatCompletionsRestTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject
  BackendClient backends;

  @AfterEach
  void reset() {
    Clients.resetBackends(backends);
  }

  @Test
  void nonStreamingAnswerHasTheOpenAiShapeUsageAndATimingsHeader() {
    byte[] wide = TestImages.png(32, 16);
    byte[] square = TestImages.png(8, 8);
    Response response = rest().body(chatBody("What is here?", false, wide, square))
        .post("/v1/chat/completions").then().statusCode(200)
        .body("object", equalTo("chat.completion"))
        .body("id", startsWith("chatcmpl-"))
        .body("model", equalTo("llava-demo"))
        .body("choices[0].index", equalTo(0))
        .body("choices[0].message.role", equalTo("assistant"))
        .body("choices[0].message.content", equalTo("I see 2 image(s) [32x16, 8x8]. You said: What is here?"))
        .body("choices[0].finish_reason", equalTo("stop"))
        .body("choices[0].logprobs", nullValue())
        .body("usage.completion_tokens", equalTo(11))
        .header("X-LLaVA-Timings", matchesPattern(
            "image_decode=[0-9.]+;preprocess=2\\.0;encode=20\\.0;queue=1\\.5;project=0\\.5;prefill=7\\.3;"
                + "first_token=[0-9.]+;decode=3\\.0;total=[0-9.]+"))
        .extract().response();
    // prompt: ceil(13 chars / 4) = 4 text tokens + 1 token per image (ceil(w*h/1000))
    assertEquals(6, response.jsonPath().getInt("usage.prompt_tokens"));
    assertEquals(17, response.jsonPath().getInt("usage.total_tokens"));
    // every image was its own Encode call, and both reached Generate in order as encoded images
    assertEquals(2, TestBackends.encodeCalls());
    TestBackends.ENCODERS.forEach(e -> assertTrue(e.maxImagesPerCall.get() <= 1));
  }

  @Test
  void samplingAndStoppingParametersReachProjectorLm() {
    String body = "{\"model\":\"llava-demo\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
        + "{\"role\":\"user\",\"content\":\"hello there\"}],\"max_tokens\":3,\"temperature\":0.7,\"top_p\":0.9,"
        + "\"seed\":42,\"stop\":[\"zzz\",\"qqq\"],\"n\":1,\"user\":\"someone\"}";
    rest().body(body).post("/v1/chat/completions").then().statusCode(200)
        .body("choices[0].message.content", equalTo("I see 0"))
        .body("choices[0].finish_reason", equalTo("length"));
    GenerateRequest sent = TestBackends.GENERATORS.stream().map(g -> g.lastRequest.get())
        .filter(r -> r != null).findFirst().orElseThrow();
    assertEquals(3, sent.getStopping().getMaxNewTokens());
    assertEquals(List.of("zzz", "qqq"), sent.getStopping().getStopList());
    assertEquals(0.7f, sent.getSampling().getTemperature(), 1e-6);
    assertEquals(0.9f, sent.getSampling().getTopP(), 1e-6);
    assertEquals(42, sent.getSampling().getSeed());
    assertEquals(2, sent.getMessagesCount());
    assertEquals("Be brief.", sent.getMessages(0).getParts(0).getText());
  }

  @Test
  void stopStringEndsTheAnswer() {
    String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stop\":\"said\"}";
    rest().body(body).post("/v1/chat/completions").then().statusCode(200)
        .body("model", equalTo("llava-demo"))
        .body("choices[0].message.content", equalTo("I see 0 image(s). You"))
        .body("choices[0].finish_reason", equalTo("stop"));
  }

  @Test
  void streamingSendsOpenAiChunksUsageAndDone() throws Exception {
    String body = chatBody("Describe it", true, TestImages.png(20, 10)).replace("\"stream\":true",
        "\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    Response response = rest().body(body).post("/v1/chat/completions").then().statusCode(200)
        .header("Content-Type", startsWith("text/event-stream")).extract().response();
    List<String> data = new ArrayList<>();
    for (String line : response.asString().split("\n")) {
      if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      } else {
        assertEquals("", line, "only data lines and blank separators are sent");
      }
    }
    assertEquals("[DONE]", data.get(data.size() - 1));
    List<JsonNode> chunks = new ArrayList<>();
    for (String d : data.subList(0, data.size() - 1)) {
      chunks.add(JSON.readTree(d));
    }
    JsonNode first = chunks.get(0);
    assertEquals("chat.completion.chunk", first.get("object").asText());
    assertEquals("assistant", first.at("/choices/0/delta/role").asText());
    assertTrue(first.at("/choices/0/finish_reason").isNull());
    StringBuilder text = new StringBuilder();
    String id = first.get("id").asText();
    for (JsonNode c : chunks) {
      assertEquals(id, c.get("id").asText(), "every chunk carries the same id");
      assertEquals("llava-demo", c.get("model").asText());
      JsonNode choices = c.get("choices");
      if (choices.size() > 0 && choices.get(0).at("/delta/content").isTextual()) {
        text.append(choices.get(0).at("/delta/content").asText());
      }
    }
    assertEquals("I see 1 image(s) [20x10]. You said: Describe it", text.toString());
    JsonNode finish = chunks.get(chunks.size() - 2);
    assertEquals("stop", finish.at("/choices/0/finish_reason").asText());
    assertTrue(finish.at("/choices/0/delta").isEmpty());
    assertEquals(7.25, finish.at("/llava_timings/prefill_ms").asDouble(), 1e-9);
    assertTrue(finish.get("usage").isNull());
    JsonNode usage = chunks.get(chunks.size() - 1);
    assertEquals(0, usage.get("choices").size());
    assertEquals(9, usage.at("/usage/completion_tokens").asInt());
    assertEquals(usage.at("/usage/prompt_tokens").asInt() + 9, usage.at("/usage/total_tokens").asInt());
  }

  @Test
  void streamingWithoutIncludeUsageHasNoUsageFields() {
    String sse = rest().body(chatBody("x", true)).post("/v1/chat/completions").then().statusCode(200)
        .extract().asString();
    assertTrue(!sse.contains("\"usage\""), sse);
    assertTrue(sse.endsWith("data: [DONE]\n\n"), sse);
  }

  @Test
  void errorsUseTheOpenAiShapeAndStatus() {
    rest().body("{not json").post("/v1/chat/completions").then().statusCode(400)
        .body("error.type", equalTo("invalid_request_error"))
        .body("error.message", containsString("not valid JSON"));
    rest().body("{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
        .post("/v1/chat/completions").then().statusCode(404)
        .body("error.code", equalTo("model_not_found"))
        .body("error.param", equalTo("model"))
        .body("error.message", containsString("'gpt-9' does not exist"));
    rest().body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":2}")
        .post("/v1/chat/completions").then().statusCode(400)
        .body("error.param", equalTo("n"))
        .body("error.message", containsString("only n=1"));
    rest().body("{\"messages\":[{\"role\":\"tool\",\"content\":\"hi\"}]}")
        .post("/v1/chat/completions").then().statusCode(400)
        .body("error.param", equalTo("messages[0].role"));
    rest().body("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]}")
        .post("/v1/chat/completions").then().statusCode(400)
        .body("error.param", equalTo("messages[0].content[0].type"));
    rest().body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":\"hot\"}")
        .post("/v1/chat/completions").then().statusCode(400)
        .body("error.param", equalTo("temperature"));
    rest().body("{\"messages\":[]}").post("/v1/chat/completions").then().statusCode(400)
        .body("error.param", equalTo("messages"));
  }

  @Test
  void backendStatusesMapToHttpStatuses() {
    TestBackends.GENERATE_FAILURES.failNext(1, Status.RESOURCE_EXHAUSTED);
    rest().body(chatBody("x", false)).post("/v1/chat/completions").then().statusCode(429)
        .body("error.code", equalTo("rate_limit_exceeded"))
        .body("error.message", containsString("projector-lm"));
    TestBackends.ENCODE_FAILURES.failNext(1, Status.DEADLINE_EXCEEDED);
    rest().body(chatBody("x", false, TestImages.png(4, 4))).post("/v1/chat/completions").then().statusCode(504)
        .body("error.code", equalTo("timeout"));
    TestBackends.ENCODE_FAILURES.failNext(1, Status.INVALID_ARGUMENT);
    rest().body(chatBody("x", false, TestImages.png(4, 4))).post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", containsString("vision-encoder"));
    TestBackends.ENCODE_FAILURES.failNext(1, Status.NOT_FOUND);
    rest().body(chatBody("x", false, TestImages.png(4, 4))).post("/v1/chat/completions").then().statusCode(404);
    // every replica unavailable, every attempt: 503
    TestBackends.ENCODE_FAILURES.failNext(3, Status.UNAVAILABLE);
    rest().body(chatBody("x", false, TestImages.png(4, 4))).post("/v1/chat/completions").then().statusCode(503)
        .body("error.code", equalTo("service_unavailable"));
  }

  @Test
  void streamingRequestWithABadImageGetsA400NotAStream() {
    String body = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
        + "\"image_url\":{\"url\":\"data:image/png;base64,aGVsbG8gd29ybGQ=\"}}]}]}";
    rest().body(body).post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", containsString("not a PNG, JPEG, GIF, WebP or BMP image"));
  }

  @Test
  void streamingSendsChunksAsTheyAreGenerated() throws Exception {
    TestBackends.GENERATORS.forEach(g -> g.chunkDelayMillis = 150);
    var client = java.net.http.HttpClient.newHttpClient();
    var request = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://localhost:" + io.restassured.RestAssured.port + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + Clients.KEY).header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(chatBody("a b c d", true))).build();
    long start = System.nanoTime();
    var response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofLines());
    var lines = response.body().iterator();
    long firstContentAt = 0;
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.contains("\"content\":\"I")) {
        firstContentAt = System.nanoTime();
      }
    }
    long total = System.nanoTime() - start;
    // 10 chunks x 150 ms: the first content arrives long before the stream ends
    assertTrue(firstContentAt > 0);
    assertTrue(TimeUnit.NANOSECONDS.toMillis(total - (firstContentAt - start)) >= 900,
        "first content " + TimeUnit.NANOSECONDS.toMillis(firstContentAt - start) + " ms, end " +
            TimeUnit.NANOSECONDS.toMillis(total) + " ms");
  }

  @Test
  void modelsAreListedInTheOpenAiShape() {
    rest().get("/v1/models").then().statusCode(200)
        .body("object", equalTo("list"))
        .body("data[0].id", equalTo("llava-demo"))
        .body("data[0].object", equalTo("model"))
        .body("data[0].owned_by", equalTo("llava"));
    rest().get("/v1/models/llava-demo").then().statusCode(200).body("id", equalTo("llava-demo"));
    rest().get("/v1/models/nope").then().statusCode(404).body("error.code", equalTo("model_not_found"));
  }

  static String reply(String text, int... sizes) {
    List<int[]> s = new ArrayList<>();
    for (int i = 0; i < sizes.length; i += 2) {
      s.add(new int[] {sizes[i], sizes[i + 1]});
    }
    return ScriptedGenerator.replyFor(s, text);
  }
}
