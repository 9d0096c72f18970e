package dev.llava.orchestrator.routing;

import static dev.llava.orchestrator.testing.Clients.chatBody;
import static dev.llava.orchestrator.testing.Clients.rest;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.orchestrator.testing.Clients;
import dev.llava.orchestrator.testing.ScriptedVisionEncoder;
import dev.llava.orchestrator.testing.TestBackends;
import dev.llava.orchestrator.testing.TestBackendsResource;
import dev.llava.orchestrator.testing.TestImages;
import dev.llava.testing.KafkaTestResource;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries, circuit breakers and cancellation against two replicas of each scripted test backend. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(TestBackendsResource.class)
class RoutingResilienceTest {

  @Inject
  BackendClient backends;

  @AfterEach
  void reset() {
    Clients.resetBackends(backends);
  }

  @Test
  void encodeIsRetriedOnAnotherReplicaWhenOneIsUnavailable() {
    TestBackends.ENCODE_FAILURES.failNext(1, Status.UNAVAILABLE);
    rest().body(chatBody("x", false, TestImages.png(6, 6))).post("/v1/chat/completions").then().statusCode(200)
        .body("choices[0].message.content", containsString("[6x6]"));
    assertEquals(2, TestBackends.encodeCalls());
    assertEquals(1, TestBackends.ENCODERS.get(0).served.get() + TestBackends.ENCODERS.get(1).served.get());
    for (ScriptedVisionEncoder e : TestBackends.ENCODERS) {
      assertEquals(1, e.calls.get(), "the retry went to the other replica: " + e.name);
    }
  }

  @Test
  void generateIsRetriedWhenUnavailableBeforeTheFirstToken() {
    TestBackends.GENERATE_FAILURES.failNext(1, Status.UNAVAILABLE);
    rest().body(chatBody("hello", false)).post("/v1/chat/completions").then().statusCode(200)
        .body("choices[0].message.content", equalTo("I see 0 image(s). You said: hello"));
    assertEquals(2, TestBackends.generateCalls());
  }

  @Test
  void generateIsNotRetriedAfterTheFirstToken() {
    TestBackends.GENERATORS.forEach(g -> g.failAfterFirstChunk = Status.UNAVAILABLE);
    rest().body(chatBody("hello", false)).post("/v1/chat/completions").then().statusCode(503)
        .body("error.message", containsString("failed mid-stream"));
    assertEquals(1, TestBackends.generateCalls(), "text was already produced: no second Generate");
  }

  @Test
  void aFailingReplicasBreakerOpensThenHalfOpensAndCloses() {
    ScriptedVisionEncoder bad = TestBackends.ENCODERS.get(0);
    String badAddress = TestBackends.encoderAddresses().get(0);
    bad.down = true;
    CircuitBreaker breaker = backends.encoders().endpoint(badAddress).breaker();
    // threshold 3 (test profile): every request still succeeds through the healthy replica
    while (breaker.state() != CircuitBreaker.State.OPEN) {
      rest().body(chatBody("x", false, TestImages.png(3, 3))).post("/v1/chat/completions").then().statusCode(200);
    }
    long openedAt = System.nanoTime();
    assertEquals(3, bad.calls.get(), "the breaker opened on the third consecutive failure");
    for (int i = 0; i < 4; i++) {
      rest().body(chatBody("x", false, TestImages.png(3, 3))).post("/v1/chat/completions").then().statusCode(200);
    }
    if (System.nanoTime() - openedAt < 900_000_000L) { // still inside the 1 s cool-down
      assertEquals(3, bad.calls.get(), "an open breaker keeps calls away");
    }
    bad.down = false;
    // cool-down 1 s, then one trial call closes it again
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
      rest().body(chatBody("x", false, TestImages.png(3, 3))).post("/v1/chat/completions").then().statusCode(200);
      return backends.encoders().endpoint(badAddress).breaker().state() == CircuitBreaker.State.CLOSED;
    });
    assertTrue(bad.served.get() >= 1);
  }

  @Test
  void closingTheSseConnectionCancelsProjectorLmsGenerate() throws Exception {
    TestBackends.GENERATORS.forEach(g -> g.endless = true);
    String body = chatBody("go", true);
    try (Socket socket = new Socket("localhost", RestAssured.port)) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + Clients.KEY
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
          + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      int ticks = 0;
      String line;
      while (ticks < 2 && (line = in.readLine()) != null) {
        if (line.contains("\"content\":\"tick \"")) {
          ticks++;
        }
      }
      assertEquals(2, ticks);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> TestBackends.cancellations() == 1);
  }
}
