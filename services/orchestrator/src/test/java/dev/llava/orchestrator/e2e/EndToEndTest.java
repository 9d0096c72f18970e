package dev.llava.orchestrator.e2e;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.google.protobuf.util.JsonFormat;
import dev.llava.model.generate.SamplingParams;
import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.ProcessedImage;
import dev.llava.model.runtime.Generation;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.model.text.ChatMessage;
import dev.llava.orchestrator.testing.Clients;
import dev.llava.orchestrator.testing.KafkaTestClients;
import dev.llava.proto.v1.ChatGrpc;
import dev.llava.proto.v1.ChatPart;
import dev.llava.proto.v1.ChatRequest;
import dev.llava.proto.v1.ChatResponse;
import dev.llava.proto.v1.ImageInput;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.Role;
import dev.llava.proto.v1.StoppingCriteria;
import io.grpc.ManagedChannel;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request with an image through the three real parts — orchestrator, vision encoder, projector-lm — over REST
 * (plain and SSE), gRPC and Kafka, each answer equal to the in-process reference path for the same conversation.
 */
@QuarkusTest
@TestProfile(RealEnginesProfile.class)
class EndToEndTest {
  static final String QUESTION = "Describe the picture.";
  static final int MAX_TOKENS = 8;
  private static final ObjectMapper JSON = new ObjectMapper();
  static Path image;
  static String expected;
  static int expectedPromptTokens;

  @BeforeAll
  static void referenceAnswer() throws Exception {
    image = RealEngines.CHECKPOINT.resolve("expected/image_0.png");
    try (LlavaRuntime runtime = LlavaRuntime.load(RealEngines.CHECKPOINT);
        NDManager scope = NDManager.newBaseManager()) {
      ProcessedImage processed = runtime.imageProcessor().process(new ImageDecoder().decode(image));
      long[] ids = runtime.chatPromptIds(List.of(ChatMessage.userWithImages(1, QUESTION)), "",
          List.of(processed.layout()));
      var packed = runtime.packFeatures(
          runtime.encodeTiles(processed.pixels().data(), processed.pixels().tiles()), List.of(processed.layout()), scope);
      Generation.Result r = Generation.run(runtime, ids, packed,
          SamplingParams.greedy(MAX_TOKENS, runtime.stopTokenIds()), s -> {});
      expected = r.text();
      expectedPromptTokens = ids.length;
    }
  }

  static String body(boolean stream) throws Exception {
    String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(image));
    return JSON.writeValueAsString(Map.of(
        "model", RealEngines.MODEL, "stream", stream, "max_tokens", MAX_TOKENS,
        "stream_options", Map.of("include_usage", true),
        "messages", List.of(Map.of("role", "user", "content", List.of(
            Map.of("type", "image_url", "image_url", Map.of("url", dataUrl)),
            Map.of("type", "text", "text", QUESTION))))));
  }

  @Test
  void restAnswersLikeTheModelItself() throws Exception {
    JsonNode r = JSON.readTree(Clients.rest().body(body(false)).post("/v1/chat/completions")
        .then().statusCode(200).extract().asString());
    assertEquals(expected, r.at("/choices/0/message/content").asText());
    assertEquals(expectedPromptTokens, r.at("/usage/prompt_tokens").asInt());
    assertEquals(MAX_TOKENS, r.at("/usage/completion_tokens").asInt());
  }

  @Test
  void sseStreamsTheSameAnswer() throws Exception {
    String events = Clients.rest().body(body(true)).post("/v1/chat/completions")
        .then().statusCode(200).extract().asString();
    StringBuilder text = new StringBuilder();
    for (String line : events.split("\n")) {
      if (line.startsWith("data: {")) {
        for (JsonNode c : JSON.readTree(line.substring(6)).path("choices")) {
          text.append(c.path("delta").path("content").asText(""));
        }
      }
    }
    assertTrue(events.strip().endsWith("data: [DONE]"), events);
    assertEquals(expected, text.toString());
  }

  @Test
  void theOfficialOpenAiSdkStreamsTheSameAnswer() throws Exception {
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + port() + "/v1")
        .apiKey(Clients.KEY).maxRetries(0).build();
    String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(image));
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(RealEngines.MODEL)
        .maxCompletionTokens(MAX_TOKENS)
        .addUserMessageOfArrayOfContentParts(List.of(
            ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(dataUrl).build()).build()),
            ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(QUESTION).build())))
        .build();
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        for (ChatCompletionChunk.Choice choice : chunk.choices()) {
          choice.delta().content().ifPresent(text::append);
        }
      }
    }
    assertEquals(expected, text.toString());
  }

  @Test
  void grpcStreamsTheSameAnswer() throws Exception {
    ManagedChannel channel = Clients.grpc();
    try {
      Iterator<ChatResponse> stream = ChatGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES)
          .complete(request("e2e-grpc"));
      StringBuilder text = new StringBuilder();
      ChatResponse last = null;
      while (stream.hasNext()) {
        last = stream.next();
        text.append(last.getText());
      }
      assertEquals(expected, text.toString());
      assertEquals(MAX_TOKENS, last.getUsage().getCompletionTokens());
      assertTrue(last.getUsage().getImageTokens() > 576, "AnyRes image tokens: " + last.getUsage());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void kafkaPipelineAnswersExactlyOnce() throws Exception {
    String id = "e2e-kafka-" + System.nanoTime();
    KafkaTestClients.produce("llava.chat.requests", Map.of(id, JsonFormat.printer().print(request(id))));
    List<ConsumerRecord<String, String>> responses = KafkaTestClients.read("llava.chat.responses",
        "read_committed", KafkaTestClients.hasKeys(List.of(id)), Duration.ofMinutes(2), Duration.ofSeconds(2));
    List<ConsumerRecord<String, String>> mine = responses.stream().filter(r -> r.key().equals(id)).toList();
    assertEquals(1, mine.size(), "exactly one response for " + id);
    ChatResponse.Builder response = ChatResponse.newBuilder();
    JsonFormat.parser().ignoringUnknownFields().merge(mine.get(0).value(), response);
    assertEquals(expected, response.getText());
  }

  static ChatRequest request(String id) throws Exception {
    return ChatRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName(RealEngines.MODEL))
        .setRequestId(id)
        .setStopping(StoppingCriteria.newBuilder().setMaxNewTokens(MAX_TOKENS))
        .addMessages(dev.llava.proto.v1.ChatMessage.newBuilder().setRole(Role.USER)
            .addParts(ChatPart.newBuilder().setImage(ImageInput.newBuilder()
                .setData(ByteString.copyFrom(Files.readAllBytes(image)))))
            .addParts(ChatPart.newBuilder().setText(QUESTION)))
        .build();
  }

  static int port() {
    return RestAssured.port;
  }
}
