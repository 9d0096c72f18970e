package dev.llava.orchestrator.limits;

import static dev.llava.orchestrator.testing.Clients.chatBody;
import static dev.llava.orchestrator.testing.Clients.rest;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llava.orchestrator.routing.BackendClient;
import dev.llava.orchestrator.testing.Clients;
import dev.llava.orchestrator.testing.TestBackends;
import dev.llava.orchestrator.testing.TestBackendsResource;
import dev.llava.orchestrator.testing.TestImages;
import dev.llava.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every configured limit (test profile: 3 images, 64 KiB, 1 M pixels, 2000 characters, 3000 prompt tokens,
 * 512 new tokens) answers 400 naming the limit and the value, before the backend that would pay for it.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(TestBackendsResource.class)
class RequestLimitsTest {
  private static final String LIMIT = "llava.orchestrator.limits.";

  @Inject
  BackendClient backends;

  @AfterEach
  void reset() {
    Clients.resetBackends(backends);
  }

  @Test
  void tooManyImages() {
    byte[] img = TestImages.png(4, 4);
    rest().body(chatBody("x", false, img, img, img, img)).post("/v1/chat/completions").then().statusCode(400)
        .body("error.type", equalTo("invalid_request_error"))
        .body("error.message", equalTo("request has 4 images; the limit " + LIMIT + "max-images-per-request is 3"));
    assertEquals(0, TestBackends.encodeCalls());
  }

  @Test
  void imageBytes() {
    byte[] big = TestImages.noisePng(160, 160); // ~77 kB of random pixels
    rest().body(chatBody("x", false, big)).post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", equalTo("image 1 (messages[0].parts[1]) is about " + (TestImages.dataUrl(big).length()
            - "data:image/png;base64,".length()) * 3 / 4 + " bytes; the limit " + LIMIT + "max-image-bytes is 65536"));
    assertEquals(0, TestBackends.encodeCalls());
  }

  @Test
  void imagePixelsFromTheHeader() {
    rest().body(chatBody("x", false, TestImages.png(1001, 1000))).post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", equalTo("image 1 (messages[0].parts[1]) is 1001x1000 = 1001000 pixels; the limit "
            + LIMIT + "max-image-pixels is 1000000"));
    assertEquals(0, TestBackends.encodeCalls());
  }

  @Test
  void promptCharacters() {
    rest().body(chatBody("a".repeat(2001), false)).post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", equalTo("request text is 2001 characters; the limit " + LIMIT + "max-prompt-chars is 2000"));
  }

  @Test
  void promptTokensCountedWithImageTokens() {
    byte[] megapixel = TestImages.png(1000, 1000); // 1000 image tokens each from the test encoder
    rest().body(chatBody("abcdefgh", false, megapixel, megapixel, megapixel)).post("/v1/chat/completions").then()
        .statusCode(400)
        .body("error.message", equalTo("prompt is 3002 tokens (image tokens included); the limit " + LIMIT
            + "max-prompt-tokens is 3000"));
    assertEquals(0, TestBackends.generateCalls(), "rejected before generating");
  }

  @Test
  void maxTokens() {
    rest().body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":513}")
        .post("/v1/chat/completions").then().statusCode(400)
        .body("error.param", equalTo("max_tokens"))
        .body("error.message", equalTo("max_tokens is 513; the limit " + LIMIT + "max-new-tokens is 512"));
    rest().body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":0}")
        .post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", equalTo("'max_tokens' must be >= 1, got 0"));
  }

  @Test
  void notAnImage() {
    String body = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":"
        + "\"data:image/png;base64,PGh0bWw+\"}}]}]}";
    rest().body(body).post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", equalTo("image 1 (messages[0].parts[0]) is not a PNG, JPEG, GIF, WebP or BMP image "
            + "(first bytes: 3c 68 74 6d 6c 3e)"));
  }

  @Test
  void malformedDataUrls() {
    String notBase64 = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":"
        + "\"data:image/png,rawbytes\"}}]}]}";
    rest().body(notBase64).post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", equalTo("image 1 (messages[0].parts[0]): data: URLs must be base64-encoded "
            + "(expected data:image/png;base64,...), got 'data:image/png,...'"));
    String ftp = notBase64.replace("data:image/png,rawbytes", "ftp://example.com/cat.png");
    rest().body(ftp).post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", equalTo("image 1 (messages[0].parts[0]): unsupported image URL 'ftp:'; expected a "
            + "data: URL or an http(s) URL"));
  }
}
