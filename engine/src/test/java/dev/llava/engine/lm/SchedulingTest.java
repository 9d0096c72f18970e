package dev.llava.engine.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.generate.FinishReason;
import dev.llava.model.runtime.Generation;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.GenerateResponse;
import dev.llava.proto.v1.StoppingCriteria;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Admission, cancellation, deadlines and back-pressure of the continuous batcher, over gRPC. */
class SchedulingTest {
  private static LlavaRuntime ref;

  @BeforeAll
  static void loadReference() throws Exception {
    ref = LlavaRuntime.load(LmFixtures.llava15(), EnumSet.of(ModelPart.PROJECTOR, ModelPart.TEXT));
  }

  @AfterAll
  static void closeReference() {
    ref.close();
  }

  /**
   * Every streamed chunk holds the scheduler this long, so {@link #endless()} runs for at least 2000 x 2 ms = 4 s
   * however fast the fixture decodes: the tests below stop it long before, by cancel or deadline, never by a race.
   */
  private static final Duration PACE = Duration.ofMillis(2);

  /** One running slot: the second request must wait for the first. */
  private static InProcessGenerator oneSlot(int maxWaiting) throws Exception {
    return new InProcessGenerator(LmFixtures.llava15(),
        LmEngineConfig.defaults(TestPrompts.MODEL).withScheduler(1, 65536, maxWaiting, 512), PACE);
  }

  /** A request that runs for thousands of steps unless stopped. */
  private static GenerateRequest endless() {
    return TestPrompts.request("Tell me a very long story.", 2000).toBuilder()
        .setStopping(StoppingCriteria.newBuilder().setMaxNewTokens(2000).setIgnoreEos(true)).build();
  }

  /** A stream the test can cancel from the client side. */
  static final class CancellableStream extends StreamResult implements ClientResponseObserver<GenerateRequest,
      GenerateResponse> {
    volatile ClientCallStreamObserver<GenerateRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<GenerateRequest> requestStream) {
      call = requestStream;
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void cancellingARunningStreamFreesItsSlotAndBudgetAndTheQueuedRequestRuns() throws Exception {
    Generation.Result want = TestPrompts.reference(ref, "Is there a cat?", List.of(), 6, false, DType.FLOAT32);
    try (InProcessGenerator server = oneSlot(4)) {
      ContinuousBatcher batcher = server.engine.batcher();
      CancellableStream first = new CancellableStream();
      server.async().generate(endless(), first);
      first.firstChunk.get(10, TimeUnit.SECONDS);
      assertEquals(1, batcher.running());
      long firstBudget = batcher.kvTokensInUse();
      assertTrue(firstBudget > 2000, "the running sequence reserves prompt + 2000 tokens, got " + firstBudget);
      assertEquals(firstBudget / 65536.0, server.registry.get("llava.lm.kv.cache.usage.ratio").gauge().value(), 1e-9);

      StreamResult second = new StreamResult();
      server.async().generate(TestPrompts.request("Is there a cat?", 6), second);
      await(() -> batcher.waiting() == 1, "the second request waits");
      assertEquals(1.0, server.registry.get("llava.lm.waiting.sequences").gauge().value());
      Thread.sleep(100);
      assertFalse(second.firstChunk.isDone(), "the second request must wait while the only slot is busy");

      first.call.cancel("user went away", null);
      assertEquals(Status.Code.OK, second.await().getCode(), () -> second.done.join().toString());
      assertArrayEquals(want.tokenIds(), second.tokenIds());
      assertEquals(Status.Code.CANCELLED, first.await().getCode());
      await(() -> batcher.running() == 0 && batcher.kvTokensInUse() == 0, "the batch is empty");
      int firstTokens = first.tokenIds().length;
      assertTrue(firstTokens < 2000, "the cancelled stream stopped early, after " + firstTokens + " tokens");
    }
  }

  @Test
  void engineListenersSeeCancelledAsTheFinishReason() throws Exception {
    try (InProcessGenerator server = oneSlot(4)) {
      CompletableFuture<GenerationResult> end = new CompletableFuture<>();
      CompletableFuture<Void> started = new CompletableFuture<>();
      GenerationHandle handle = server.engine.generate(endless(), new GenerationListener() {
        @Override
        public void onTokens(String text, long[] tokenIds) {
          started.complete(null);
          InProcessGenerator.sleep(PACE);
        }

        @Override
        public void onFinished(String text, long[] tokenIds, GenerationResult result) {
          end.complete(result);
        }

        @Override
        public void onFailed(RuntimeException error) {
          end.completeExceptionally(error);
        }
      });
      started.get(10, TimeUnit.SECONDS);
      handle.cancel();
      GenerationResult result = end.get(10, TimeUnit.SECONDS);
      assertEquals(FinishReason.CANCELLED, result.finishReason());
      assertTrue(result.completionTokens() >= 1 && result.completionTokens() < 2000, result.toString());
    }
  }

  @Test
  void aDeadlineStopsTheSequenceAndFreesTheSlot() throws Exception {
    try (InProcessGenerator server = oneSlot(4)) {
      StreamResult late = new StreamResult();
      // paced, the 2000 tokens take at least 4 s: the deadline, not the length, ends the sequence
      server.async().withDeadlineAfter(50, TimeUnit.MILLISECONDS).generate(endless(), late);
      assertEquals(Status.Code.DEADLINE_EXCEEDED, late.await().getCode());
      await(() -> server.engine.batcher().running() == 0, "the expired sequence left the batch");
      StreamResult next = new StreamResult();
      server.async().generate(TestPrompts.request("hello", 3), next);
      assertEquals(Status.Code.OK, next.await().getCode());
      assertEquals(3, next.last().getUsage().getCompletionTokens());
    }
  }

  @Test
  void theSchedulerEnforcesAnEngineDeadlineByItself() throws Exception {
    try (InProcessGenerator server = oneSlot(4)) {
      CompletableFuture<GenerationResult> end = new CompletableFuture<>();
      long now = System.nanoTime();
      server.engine.generate(endless(), new GenerationListener() {
        @Override
        public void onTokens(String text, long[] tokenIds) {
          InProcessGenerator.sleep(PACE); // paced like the gRPC streams: 2000 tokens outlast the deadline
        }

        @Override
        public void onFinished(String text, long[] tokenIds, GenerationResult result) {
          end.complete(result);
        }

        @Override
        public void onFailed(RuntimeException error) {
          end.completeExceptionally(error);
        }
      }, now, now + TimeUnit.MILLISECONDS.toNanos(300));
      GenerationResult result = end.get(10, TimeUnit.SECONDS);
      assertEquals(FinishReason.CANCELLED, result.finishReason());
      assertTrue(result.timings().totalMs() < 5000, "stopped after " + result.timings().totalMs() + " ms");
      await(() -> server.engine.batcher().running() == 0, "the slot is free");
    }
  }

  @Test
  void aFullWaitingQueueAnswersResourceExhaustedAtOnce() throws Exception {
    try (InProcessGenerator server = oneSlot(1)) {
      CancellableStream running = new CancellableStream();
      server.async().generate(endless(), running);
      running.firstChunk.get(10, TimeUnit.SECONDS);
      CancellableStream queued = new CancellableStream();
      server.async().generate(endless(), queued);
      await(() -> server.engine.batcher().waiting() == 1, "one request waits");

      long t0 = System.nanoTime();
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> server.blocking().generate(TestPrompts.request("hello", 3)).next());
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("queue full"), e.getStatus().getDescription());
      assertTrue(millis < 1000, "rejected after " + millis + " ms");

      queued.call.cancel("done", null);
      running.call.cancel("done", null);
      await(() -> server.engine.batcher().running() == 0 && server.engine.batcher().waiting() == 0, "all stopped");
    }
  }

  @Test
  void aRequestLargerThanTheWholeKvBudgetIsInvalid() throws Exception {
    try (InProcessGenerator server = new InProcessGenerator(LmFixtures.llava15(),
        LmEngineConfig.defaults(TestPrompts.MODEL).withScheduler(4, 600, 4, 512))) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> server.blocking().generate(TestPrompts.request("hello", 1000)).next());
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      String message = e.getStatus().getDescription();
      assertTrue(message.contains("max_new_tokens 1000") && message.contains("budget of 600 tokens"), message);
    }
  }
}
