package dev.llava.orchestrator.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.llava.orchestrator.routing.BackendClient;
import dev.llava.orchestrator.testing.Clients;
import dev.llava.orchestrator.testing.TestBackends;
import dev.llava.orchestrator.testing.TestBackendsResource;
import dev.llava.orchestrator.testing.TestImages;
import dev.llava.proto.v1.ChatGrpc;
import dev.llava.proto.v1.ChatMessage;
import dev.llava.proto.v1.ChatPart;
import dev.llava.proto.v1.ChatRequest;
import dev.llava.proto.v1.ChatResponse;
import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.FinishReason;
import dev.llava.proto.v1.ImageInput;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.Role;
import dev.llava.testing.KafkaTestResource;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Chat over a real gRPC channel on the orchestrator's HTTP port. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(TestBackendsResource.class)
class ChatGrpcServiceTest {

  @Inject
  BackendClient backends;

  ManagedChannel channel;

  @BeforeEach
  void open() {
    channel = Clients.grpc();
  }

  @AfterEach
  void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    Clients.resetBackends(backends);
  }

  static ChatRequest request(String text, byte[]... images) {
    ChatMessage.Builder user = ChatMessage.newBuilder().setRole(Role.USER);
    for (byte[] image : images) {
      user.addParts(ChatPart.newBuilder().setImage(ImageInput.newBuilder().setData(ByteString.copyFrom(image))));
    }
    user.addParts(ChatPart.newBuilder().setText(text));
    return ChatRequest.newBuilder().setModel(ModelRef.newBuilder().setName("llava-demo")).addMessages(user).build();
  }

  @Test
  void completeStreamsDeltasThenAFinalChunkWithUsageAndTimings() {
    byte[] image = TestImages.png(30, 20);
    ChatRequest request = request("Hi", image).toBuilder()
        .addMessages(0, ChatMessage.newBuilder().setRole(Role.USER).addParts(ChatPart.newBuilder()
            .setImage(ImageInput.newBuilder().setUri(TestImages.dataUrl(TestImages.png(10, 10))))))
        .setRequestId("grpc-req-1").build();
    List<ChatResponse> chunks = new ArrayList<>();
    ChatGrpc.newBlockingStub(channel).complete(request).forEachRemaining(chunks::add);
    StringBuilder text = new StringBuilder();
    chunks.forEach(c -> text.append(c.getText()));
    assertEquals("I see 2 image(s) [10x10, 30x20]. You said: Hi", text.toString());
    ChatResponse last = chunks.get(chunks.size() - 1);
    assertEquals("grpc-req-1", last.getRequestId());
    assertEquals(FinishReason.STOP, last.getFinishReason());
    assertEquals("llava-demo", last.getModel().getName());
    assertEquals(9, last.getUsage().getCompletionTokens());
    assertEquals(2, last.getUsage().getImageTokens());
    assertEquals(7.25, last.getTimings().getPrefillMs(), 1e-9);
    assertEquals(1.5, last.getTimings().getQueueMs(), 1e-9);
    assertEquals(20.0, last.getTimings().getEncodeMs(), 1e-9); // 10 ms per image, summed
    assertTrue(last.getTimings().getImageDecodeMs() >= 4.0); // vision-encoder decode 2 ms per image + fetch
    assertTrue(last.getTimings().getFirstTokenMs() > 0);
    assertTrue(last.getTimings().getTotalMs() >= last.getTimings().getFirstTokenMs());
    chunks.subList(0, chunks.size() - 1).forEach(c -> assertEquals("grpc-req-1", c.getRequestId()));
  }

  @Test
  void countTokensIncludesImageTokens() {
    CountTokensResponse count = ChatGrpc.newBlockingStub(channel)
        .countTokens(request("12345678", TestImages.png(100, 30), TestImages.png(50, 50)));
    assertEquals(List.of(3, 3), count.getImageTokensList());
    assertEquals(2 + 3 + 3, count.getPromptTokens());
    assertEquals(0, TestBackends.generateCalls(), "counting never generates");
  }

  @Test
  void limitViolationsAreInvalidArgumentNamingTheLimit() {
    byte[] img = TestImages.png(4, 4);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ChatGrpc.newBlockingStub(channel)
        .complete(request("x", img, img, img, img)).forEachRemaining(c -> {}));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("request has 4 images; the limit llava.orchestrator.limits.max-images-per-request is 3",
        e.getStatus().getDescription());
    StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> ChatGrpc.newBlockingStub(channel)
        .complete(request("x").toBuilder().setModel(ModelRef.newBuilder().setName("other")).build())
        .forEachRemaining(c -> {}));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
  }

  @Test
  void cancellingTheCallCancelsProjectorLmsGenerate() throws Exception {
    TestBackends.GENERATORS.forEach(g -> g.endless = true);
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<ChatResponse> stream = context.call(() -> ChatGrpc.newBlockingStub(channel).complete(request("go")));
    assertEquals("tick ", stream.next().getText());
    assertEquals("tick ", stream.next().getText());
    context.cancel(null);
    await().atMost(Duration.ofSeconds(5)).until(() -> TestBackends.cancellations() == 1);
  }

  @Test
  void theCallersDeadlineReachesTheBackends() {
    TestBackends.GENERATORS.forEach(g -> g.endless = true);
    long start = System.nanoTime();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ChatGrpc.newBlockingStub(channel)
        .withDeadlineAfter(400, TimeUnit.MILLISECONDS).complete(request("go")).forEachRemaining(c -> {}));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    await().atMost(Duration.ofSeconds(5)).until(() -> TestBackends.cancellations() == 1);
  }
}
