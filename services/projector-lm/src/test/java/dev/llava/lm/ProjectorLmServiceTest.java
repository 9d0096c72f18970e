package dev.llava.lm;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llava.engine.wire.ImageLayoutProtos;
import dev.llava.engine.wire.TensorCodec;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.io.Npy;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.EncodedImage;
import dev.llava.proto.v1.EncodedMessage;
import dev.llava.proto.v1.EncodedPart;
import dev.llava.proto.v1.FinishReason;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.GenerateResponse;
import dev.llava.proto.v1.GeneratorGrpc;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.Role;
import dev.llava.proto.v1.StoppingCriteria;
import dev.llava.testing.MetricsSnapshot;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service with the tiny LLaVA-1.5 fixture, over a real gRPC channel on the HTTP port. The golden request is
 * the fixture's own: its raw prompt and the reference CLIP features, so the streamed ids must be the reference
 * (Hugging Face) greedy ids.
 */
@QuarkusTest
class ProjectorLmServiceTest {
  private static final Path FIXTURE = Path.of(System.getProperty("llava.shared.dir"), "fixtures", "tiny-llava-1.5");
  private static final List<String> LM_METRICS = List.of(
      "llava_lm_running_sequences", "llava_lm_waiting_sequences", "llava_lm_kv_cache_usage_ratio",
      "llava_lm_time_to_first_token_seconds_bucket", "llava_lm_inter_token_latency_seconds_bucket",
      "llava_lm_request_duration_seconds_bucket", "llava_lm_prompt_tokens_total", "llava_lm_generation_tokens_total",
      "llava_lm_stage_seconds_count{stage=\"project\"", "llava_lm_stage_seconds_count{stage=\"prefill\"",
      "llava_lm_stage_seconds_count{stage=\"decode\"", "llava_lm_batch_size_count");

  private ManagedChannel channel;

  @BeforeEach
  void connectWhenReady() {
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> given().get("/q/health/ready").statusCode() == 200);
    channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** The fixture's prompt and reference CLIP features [1, 576, 48] as an Encode response would carry them. */
  private static GenerateRequest goldenRequest(int maxNewTokens) throws Exception {
    String prompt = new ObjectMapper().readTree(FIXTURE.resolve("expected/expected.json").toFile())
        .get("prompt").asText();
    long[] size = Npy.read(FIXTURE.resolve("expected/image_sizes.npy")).toLongs(); // [height, width]
    ImageLayout layout = LlavaRuntime.imageProcessor(FIXTURE, LlavaConfig.load(FIXTURE))
        .layout((int) size[0], (int) size[1]);
    float[] features = Npy.read(FIXTURE.resolve("expected/vision_selected_features.npy")).toFloats();
    EncodedImage image = EncodedImage.newBuilder()
        .setFeatures(TensorCodec.encode(features, DType.FLOAT32, 1, 576, 48))
        .setLayout(ImageLayoutProtos.toProto(layout)).build();
    return GenerateRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName("llava-demo"))
        .setRawPrompt(true)
        .addMessages(EncodedMessage.newBuilder().setRole(Role.USER)
            .addParts(EncodedPart.newBuilder().setText(prompt))
            .addParts(EncodedPart.newBuilder().setImage(image)))
        .setStopping(StoppingCriteria.newBuilder().setMaxNewTokens(maxNewTokens))
        .build();
  }

  @Test
  void streamsTheReferenceGreedyAnswerOverGrpc() throws Exception {
    List<GenerateResponse> chunks = new ArrayList<>();
    GeneratorGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .generate(goldenRequest(8)).forEachRemaining(chunks::add);

    long[] ids = chunks.stream().flatMap(c -> c.getTokenIdsList().stream()).mapToLong(Long::longValue).toArray();
    assertArrayEquals(Npy.read(FIXTURE.resolve("expected/greedy_ids.npy")).toLongs(), ids);
    assertTrue(chunks.size() > 1, "streamed in " + chunks.size() + " chunk(s)");
    GenerateResponse last = chunks.get(chunks.size() - 1);
    assertEquals(FinishReason.LENGTH, last.getFinishReason());
    assertEquals(605, last.getUsage().getPromptTokens());
    assertEquals(576, last.getUsage().getImageTokens());
    assertEquals(8, last.getUsage().getCompletionTokens());
    assertEquals(613, last.getUsage().getTotalTokens());
    assertTrue(last.getTimings().getTotalMs() > 0 && last.getTimings().getProjectMs() > 0, last.getTimings().toString());

    CountTokensResponse count = GeneratorGrpc.newBlockingStub(channel).countTokens(goldenRequest(8));
    assertEquals(605, count.getPromptTokens());
    assertEquals(List.of(576), count.getImageTokensList());
  }

  @Test
  void aClientDeadlineStopsTheSequence() throws Exception {
    GenerateRequest endless = goldenRequest(2000).toBuilder()
        .setStopping(StoppingCriteria.newBuilder().setMaxNewTokens(2000).setIgnoreEos(true)).build();
    double generatedBefore = gauge("llava_lm_generation_tokens_total");
    // Whichever timer fires first, the client's or the server's (which ends the stream DEADLINE_EXCEEDED, not
    // OK), the call fails; 400 ms is well below 2000 decode steps here (about 3 s).
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> GeneratorGrpc.newBlockingStub(channel)
        .withDeadlineAfter(400, TimeUnit.MILLISECONDS).generate(endless).forEachRemaining(r -> {}));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gauge("llava_lm_running_sequences") == 0.0);
    double generated = gauge("llava_lm_generation_tokens_total") - generatedBefore;
    assertTrue(generated < 2000, "the server stopped the sequence at the deadline, after " + generated + " tokens");
  }

  /**
   * On this port a client cancel reaches the service only as a stream that stops being writable; the stall
   * timeout (2 s in tests) then cancels the sequence.
   */
  @Test
  void cancellingTheCallStopsTheSequence() throws Exception {
    GenerateRequest endless = goldenRequest(2000).toBuilder()
        .setStopping(StoppingCriteria.newBuilder().setMaxNewTokens(2000).setIgnoreEos(true)).build();
    CompletableFuture<Void> firstChunk = new CompletableFuture<>();
    CompletableFuture<Status> done = new CompletableFuture<>();
    AtomicReference<ClientCallStreamObserver<GenerateRequest>> call = new AtomicReference<>();
    GeneratorGrpc.newStub(channel).generate(endless, new ClientResponseObserver<GenerateRequest, GenerateResponse>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<GenerateRequest> requestStream) {
        call.set(requestStream);
      }

      @Override
      public void onNext(GenerateResponse value) {
        firstChunk.complete(null);
      }

      @Override
      public void onError(Throwable t) {
        done.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        done.complete(Status.OK);
      }
    });
    firstChunk.get(30, TimeUnit.SECONDS);
    assertEquals(1.0, gauge("llava_lm_running_sequences"));
    call.get().cancel("client went away", null);
    assertEquals(Status.Code.CANCELLED, done.get(10, TimeUnit.SECONDS).getCode());
    Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> gauge("llava_lm_running_sequences") == 0.0);
    assertEquals(0.0, gauge("llava_lm_kv_cache_usage_ratio"));
    double generated = gauge("llava_lm_generation_tokens_total");
    assertTrue(generated < 1000, "the cancelled sequence stopped early; tokens generated in this JVM: " + generated);
  }

  private static double gauge(String name) {
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError(name + " not in /q/metrics");
  }

  @Test
  void anUnknownModelIsNotFoundOverGrpc() throws Exception {
    GenerateRequest request = goldenRequest(2).toBuilder().setModel(ModelRef.newBuilder().setName("gpt-9")).build();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> GeneratorGrpc.newBlockingStub(channel).generate(request).forEachRemaining(r -> {}));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("'llava-demo'"), e.getStatus().getDescription());
  }

  @Test
  void healthIsUpAndTheLmMetricsAreExported() throws Exception {
    GeneratorGrpc.newBlockingStub(channel).generate(goldenRequest(3)).forEachRemaining(r -> {});
    given().get("/q/health/live").then().statusCode(200).body(containsString("UP"));
    given().get("/q/health/ready").then().statusCode(200).body(containsString("serving 'llava-demo'"));
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    for (String name : LM_METRICS) {
      assertTrue(metrics.contains(name), name + " missing from /q/metrics");
    }
    MetricsSnapshot.save(metrics);
  }
}
