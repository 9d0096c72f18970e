package dev.llava.engine.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.generate.FinishReason;
import dev.llava.proto.v1.GenerateResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Flow control: a slow reader gets coalesced chunks, never lost text, and the scheduler never waits. */
class StreamingResponderTest {

  /** A call whose readiness the test controls. */
  static final class FakeCall extends ServerCallStreamObserver<GenerateResponse> {
    final List<GenerateResponse> sent = new ArrayList<>();
    boolean ready = true;
    boolean cancelled;
    boolean completed;
    Throwable error;

    @Override public boolean isReady() { return ready; }
    @Override public boolean isCancelled() { return cancelled; }
    @Override public void setOnReadyHandler(Runnable r) {}
    @Override public void setOnCancelHandler(Runnable r) {}
    @Override public void setCompression(String c) {}
    @Override public void disableAutoInboundFlowControl() {}
    @Override public void request(int n) {}
    @Override public void setMessageCompression(boolean enable) {}
    @Override public void onNext(GenerateResponse r) { sent.add(r); }
    @Override public void onError(Throwable t) { error = t; }
    @Override public void onCompleted() { completed = true; }
  }

  private static final GenerationResult RESULT = new GenerationResult(FinishReason.LENGTH, 10, 4, 5,
      new StageTimes(1, 2, 3, 4, 5, 6));

  @Test
  void tokensGoOutOneByOneWhileTheTransportIsReady() {
    FakeCall call = new FakeCall();
    StreamingResponder r = new StreamingResponder(call);
    r.onTokens("Hel", new long[] {1});
    r.onTokens("lo", new long[] {2});
    r.onFinished("!", new long[] {3}, RESULT);
    assertEquals(3, call.sent.size());
    assertEquals("Hel", call.sent.get(0).getText());
    assertEquals("!", call.sent.get(2).getText());
    assertEquals(List.of(3L), call.sent.get(2).getTokenIdsList());
    assertEquals(dev.llava.proto.v1.FinishReason.LENGTH, call.sent.get(2).getFinishReason());
    assertEquals(15, call.sent.get(2).getUsage().getTotalTokens());
    assertEquals(6.0, call.sent.get(2).getTimings().getTotalMs());
    assertTrue(call.completed);
  }

  @Test
  void aSlowReaderGetsTheBufferedTokensAsOneChunkWhenReady() {
    FakeCall call = new FakeCall();
    StreamingResponder r = new StreamingResponder(call);
    r.onTokens("a", new long[] {1});
    call.ready = false;
    r.onTokens("b", new long[] {2});
    r.onTokens("", new long[] {3});
    r.onTokens("c", new long[] {4});
    assertEquals(1, call.sent.size(), "nothing is sent while the transport is not ready");
    call.ready = true;
    r.onReady();
    assertEquals(2, call.sent.size());
    assertEquals("bc", call.sent.get(1).getText());
    assertEquals(List.of(2L, 3L, 4L), call.sent.get(1).getTokenIdsList());

    call.ready = false;
    r.onTokens("d", new long[] {5});
    r.onFinished("e", new long[] {6}, RESULT);
    assertEquals(2, call.sent.size());
    call.ready = true;
    r.onReady();
    assertEquals(3, call.sent.size());
    assertEquals("de", call.sent.get(2).getText());
    assertEquals(dev.llava.proto.v1.FinishReason.LENGTH, call.sent.get(2).getFinishReason());
    assertTrue(call.completed);
  }

  @Test
  void aStreamThatStaysNotReadyPastTheStallTimeoutIsGivenUpOnce() throws Exception {
    FakeCall call = new FakeCall();
    int[] stalls = new int[1];
    StreamingResponder r = new StreamingResponder(call, java.time.Duration.ofMillis(500), () -> stalls[0]++, 0);
    call.ready = false;
    r.onTokens("a", new long[] {1});
    r.onTokens("b", new long[] {2});
    assertEquals(0, stalls[0], "not stalled before the timeout");
    Thread.sleep(600);
    r.onTokens("c", new long[] {3});
    r.onTokens("d", new long[] {4});
    assertEquals(1, stalls[0]);
    call.ready = true; // a reader that comes back still gets everything
    r.onFinished("", new long[0], RESULT);
    assertEquals("abcd", call.sent.get(0).getText());
  }

  private static final GenerationResult CANCELLED = new GenerationResult(FinishReason.CANCELLED, 10, 0, 7,
      new StageTimes(1, 2, 3, 4, 5, 6));

  @Test
  void aPassedDeadlineEndsTheCallWithDeadlineExceededNotOk() {
    FakeCall call = new FakeCall();
    StreamingResponder r = new StreamingResponder(call, java.time.Duration.ofDays(1), () -> {}, System.nanoTime() - 1);
    r.onTokens("a", new long[] {1});
    r.onFinished("b", new long[] {2}, CANCELLED);
    assertEquals(1, call.sent.size(), "the tokens sent before the deadline stay sent; nothing more");
    assertTrue(!call.completed, "a cut-off answer must not look complete");
    Status status = ((StatusRuntimeException) call.error).getStatus();
    assertEquals(Status.Code.DEADLINE_EXCEEDED, status.getCode());
    assertTrue(status.getDescription().contains("after 7 generated token(s)"), status.getDescription());
  }

  @Test
  void aCancelBeforeTheDeadlineEndsTheCallCancelled() throws Exception {
    FakeCall call = new FakeCall();
    StreamingResponder r = new StreamingResponder(call, java.time.Duration.ofMillis(20), () -> {},
        System.nanoTime() + java.util.concurrent.TimeUnit.HOURS.toNanos(1));
    call.ready = false;
    r.onTokens("a", new long[] {1});
    Thread.sleep(40);
    r.onTokens("b", new long[] {2}); // stalled: the adapter cancels the sequence
    call.ready = true;
    r.onFinished("", new long[0], CANCELLED);
    Status status = ((StatusRuntimeException) call.error).getStatus();
    assertEquals(Status.Code.CANCELLED, status.getCode());
    assertTrue(status.getDescription().contains("read nothing"), status.getDescription());

    FakeCall gone = new FakeCall();
    gone.cancelled = true;
    new StreamingResponder(gone).onFinished("", new long[0], CANCELLED);
    assertEquals(null, gone.error, "nothing is sent to a call the client cancelled");
    assertTrue(!gone.completed);
  }

  @Test
  void readinessResetsTheStallClock() throws Exception {
    FakeCall call = new FakeCall();
    int[] stalls = new int[1];
    StreamingResponder r = new StreamingResponder(call, java.time.Duration.ofMillis(50), () -> stalls[0]++, 0);
    for (int i = 0; i < 4; i++) {
      call.ready = false;
      r.onTokens("x", new long[] {i});
      Thread.sleep(30);
      call.ready = true;
      r.onReady();
    }
    assertEquals(0, stalls[0]);
  }

  @Test
  void grpcTimeoutHeadersParseLikeGrpcJava() {
    assertEquals(300_000_000L, GrpcTimeoutInterceptor.parse("300m"));
    assertEquals(5_000_000_000L, GrpcTimeoutInterceptor.parse("5S"));
    assertEquals(7_200_000_000_000L, GrpcTimeoutInterceptor.parse("2H"));
    assertEquals(12L, GrpcTimeoutInterceptor.parse("12n"));
    assertEquals(-1, GrpcTimeoutInterceptor.parse("5"));
    assertEquals(-1, GrpcTimeoutInterceptor.parse("123456789S"));
    assertEquals(-1, GrpcTimeoutInterceptor.parse("5x"));
  }

  @Test
  void failuresBecomeStatusesAndNothingIsSentToACancelledCall() {
    FakeCall call = new FakeCall();
    StreamingResponder r = new StreamingResponder(call);
    r.onFailed(new IllegalArgumentException("bad image"));
    Status status = ((StatusRuntimeException) call.error).getStatus();
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
    assertEquals("bad image", status.getDescription());

    FakeCall gone = new FakeCall();
    gone.cancelled = true;
    StreamingResponder s = new StreamingResponder(gone);
    s.onTokens("x", new long[] {1});
    s.onFinished("", new long[0], RESULT);
    assertTrue(gone.sent.isEmpty());
    assertTrue(!gone.completed && gone.error == null);
  }
}
