package dev.llava.orchestrator.images;

import static dev.llava.orchestrator.testing.Clients.rest;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import dev.llava.orchestrator.routing.BackendClient;
import dev.llava.orchestrator.testing.Clients;
import dev.llava.orchestrator.testing.ImageHost;
import dev.llava.orchestrator.testing.TestBackendsResource;
import dev.llava.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** http(s) image URLs through the REST API (test profile: fetching on, {@code localhost} allow-listed). */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(TestBackendsResource.class)
class ImageUrlRestTest {
  static ImageHost host;

  @Inject
  BackendClient backends;

  @BeforeAll
  static void start() {
    host = new ImageHost();
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  @AfterEach
  void reset() {
    Clients.resetBackends(backends);
  }

  static String body(String url) {
    return "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what?\"},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + url + "\",\"detail\":\"auto\"}}]}]}";
  }

  @Test
  void anAllowListedUrlIsFetchedAndEncoded() {
    rest().body(body(host.url("/cat.png"))).post("/v1/chat/completions").then().statusCode(200)
        .body("choices[0].message.content", equalTo("I see 1 image(s) [24x12]. You said: what?"));
  }

  @Test
  void ssrfTargetsAreRefusedWith400() {
    int p = host.port();
    rest().body(body("http://127.0.0.1:" + p + "/cat.png")).post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", equalTo("image 1 (messages[0].parts[1]): refusing to fetch from '127.0.0.1': it "
            + "resolves to 127.0.0.1, a loopback address"));
    rest().body(body("http://10.0.0.1/cat.png")).post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", endsWith("a private address"));
    rest().body(body("http://169.254.169.254/latest/meta-data/iam")).post("/v1/chat/completions").then()
        .statusCode(400).body("error.message", endsWith("a link-local address"));
    rest().body(body("http://[::1]:" + p + "/cat.png")).post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", endsWith("a loopback address"));
    rest().body(body(host.url("/to-loopback"))).post("/v1/chat/completions").then().statusCode(400)
        .body("error.message", endsWith("it resolves to 127.0.0.1, a loopback address"));
  }
}
