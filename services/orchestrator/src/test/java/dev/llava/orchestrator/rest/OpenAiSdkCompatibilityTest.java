package dev.llava.orchestrator.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.PermissionDeniedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import dev.llava.orchestrator.routing.BackendClient;
import dev.llava.orchestrator.testing.Clients;
import dev.llava.orchestrator.testing.TestBackendsResource;
import dev.llava.orchestrator.testing.TestImages;
import dev.llava.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, unmodified, against the orchestrator: the REST API is wire-compatible. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(TestBackendsResource.class)
class OpenAiSdkCompatibilityTest {

  @Inject
  BackendClient backends;

  @AfterEach
  void reset() {
    Clients.resetBackends(backends);
  }

  private static OpenAIClient client(String key) {
    return OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + RestAssured.port + "/v1").apiKey(key)
        .maxRetries(0).build();
  }

  private static ChatCompletionCreateParams.Builder imageQuestion() {
    return ChatCompletionCreateParams.builder().model("llava-demo")
        .addUserMessageOfArrayOfContentParts(List.of(
            ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("What is this?").build()),
            ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                    .url(TestImages.dataUrl(TestImages.png(40, 30))).build())
                .build())));
  }

  @Test
  void sdkCreatesACompletionWithAnImage() {
    ChatCompletion completion = client(Clients.KEY).chat().completions().create(imageQuestion()
        .maxCompletionTokens(64).temperature(0.0).seed(1).build());
    assertEquals("llava-demo", completion.model());
    assertEquals("I see 1 image(s) [40x30]. You said: What is this?",
        completion.choices().get(0).message().content().orElseThrow());
    assertEquals(ChatCompletion.Choice.FinishReason.STOP, completion.choices().get(0).finishReason());
    assertEquals(10, completion.usage().orElseThrow().completionTokens());
    assertEquals(completion.usage().get().promptTokens() + 10, completion.usage().get().totalTokens());
  }

  @Test
  void sdkStreamsChunksAndTheUsageChunk() {
    StringBuilder text = new StringBuilder();
    String finish = null;
    long usageTokens = -1;
    int chunks = 0;
    try (StreamResponse<ChatCompletionChunk> stream = client(Clients.KEY).chat().completions().createStreaming(
        imageQuestion().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        chunks++;
        for (ChatCompletionChunk.Choice choice : chunk.choices()) {
          choice.delta().content().ifPresent(text::append);
          if (choice.finishReason().isPresent()) {
            finish = choice.finishReason().get().asString();
          }
        }
        if (chunk.usage().isPresent()) {
          usageTokens = chunk.usage().get().completionTokens();
        }
      }
    }
    assertEquals("I see 1 image(s) [40x30]. You said: What is this?", text.toString());
    assertEquals("stop", finish);
    assertEquals(10, usageTokens);
    assertTrue(chunks >= 11, "role chunk + 10 content chunks + finish + usage, got " + chunks);
  }

  @Test
  void sdkSeesOpenAiErrors() {
    OpenAIClient client = client(Clients.KEY);
    NotFoundException notFound = assertThrows(NotFoundException.class, () -> client.chat().completions()
        .create(ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("hi").build()));
    assertEquals("model_not_found", notFound.code().orElseThrow());
    BadRequestException bad = assertThrows(BadRequestException.class, () -> client.chat().completions()
        .create(ChatCompletionCreateParams.builder().model("llava-demo").addUserMessage("hi").n(3).build()));
    assertEquals("n", bad.param().orElseThrow());
    assertThrows(PermissionDeniedException.class, () -> client("wrong-key").chat().completions()
        .create(ChatCompletionCreateParams.builder().model("llava-demo").addUserMessage("hi").build()));
  }

  @Test
  void sdkListsModels() {
    List<Model> models = client(Clients.KEY).models().list().data();
    assertEquals("llava-demo", models.get(0).id());
  }
}
