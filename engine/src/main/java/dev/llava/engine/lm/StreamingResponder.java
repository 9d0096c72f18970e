package dev.llava.engine.lm;

import dev.llava.proto.v1.GenerateResponse;
import dev.llava.proto.v1.StageTimings;
import dev.llava.proto.v1.Usage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * Streams one generation as {@code GenerateResponse} chunks with gRPC flow control: while the transport is ready
 * every token goes out as its own chunk; while it is not (a slow reader), text and ids accumulate and leave as
 * one chunk when the call's on-ready handler fires. The scheduler thread never blocks on a client, and the
 * buffer is bounded by the request's max_new_tokens. The last chunk carries the finish reason, usage and timings.
 *
 * <p>A stream that stays not-ready for {@code stallTimeout} while tokens keep coming is given up
 * ({@code onStalled} cancels the sequence): that frees the batch slot of a reader that stopped reading, and is
 * how a client cancel is noticed on transports that never report it (Quarkus' unified server on Vert.x 4.5: a
 * reset stream just stops being ready).
 *
 * <p>A generation that ends CANCELLED closes the call with an error status, never OK: DEADLINE_EXCEEDED once the
 * call's deadline has passed (what grpc-java's own server answers, whichever side's timer fires first), else
 * CANCELLED. A client that is still listening must not mistake a cut-off answer for a complete one.
 */
final class StreamingResponder implements GenerationListener {
  private final ServerCallStreamObserver<GenerateResponse> call;
  private final StringBuilder pendingText = new StringBuilder(); // guarded by this
  private final java.util.ArrayList<Long> pendingIds = new java.util.ArrayList<>(); // guarded by this
  private GenerateResponse.Builder finalChunk; // guarded by this; set once the generation ended
  private boolean closed; // guarded by this
  private final long stallTimeoutNanos;
  private final Runnable onStalled;
  private final long deadlineNanos; // System.nanoTime() at which the call's deadline passes; 0 = none
  private long notReadySince; // guarded by this; nanoTime when a send first found the transport not ready, or 0
  private boolean stalled; // guarded by this

  StreamingResponder(ServerCallStreamObserver<GenerateResponse> call, java.time.Duration stallTimeout,
      Runnable onStalled, long deadlineNanos) {
    this.call = call;
    this.stallTimeoutNanos = stallTimeout.toNanos();
    this.onStalled = onStalled;
    this.deadlineNanos = deadlineNanos;
  }

  StreamingResponder(ServerCallStreamObserver<GenerateResponse> call) {
    this(call, java.time.Duration.ofDays(365), () -> {}, 0);
  }

  @Override
  public synchronized void onTokens(String text, long[] tokenIds) {
    pendingText.append(text);
    for (long id : tokenIds) {
      pendingIds.add(id);
    }
    flush();
  }

  @Override
  public synchronized void onFinished(String text, long[] tokenIds, GenerationResult result) {
    if (result.finishReason() == dev.llava.model.generate.FinishReason.CANCELLED) {
      endCancelled(result.completionTokens());
      return;
    }
    pendingText.append(text);
    for (long id : tokenIds) {
      pendingIds.add(id);
    }
    StageTimes t = result.timings();
    finalChunk = GenerateResponse.newBuilder()
        .setFinishReason(dev.llava.proto.v1.FinishReason.valueOf(result.finishReason().name()))
        .setUsage(Usage.newBuilder()
            .setPromptTokens(result.promptTokens())
            .setImageTokens(result.imageTokens())
            .setCompletionTokens(result.completionTokens())
            .setTotalTokens(result.promptTokens() + result.completionTokens()))
        .setTimings(StageTimings.newBuilder()
            .setQueueMs(t.queueMs())
            .setProjectMs(t.projectMs())
            .setPrefillMs(t.prefillMs())
            .setFirstTokenMs(t.firstTokenMs())
            .setDecodeMs(t.decodeMs())
            .setTotalMs(t.totalMs()));
    flush();
  }

  @Override
  public synchronized void onFailed(RuntimeException error) {
    if (closed) {
      return;
    }
    closed = true;
    if (!call.isCancelled()) {
      call.onError(GrpcStatuses.of(error).asRuntimeException());
    }
  }

  private void endCancelled(int completionTokens) {
    if (closed) {
      return;
    }
    closed = true;
    if (call.isCancelled()) {
      return; // the client is gone: nobody to tell
    }
    Status status;
    if (deadlineNanos != 0 && System.nanoTime() - deadlineNanos >= 0) {
      status = Status.DEADLINE_EXCEEDED.withDescription(
          "the call's deadline passed after " + completionTokens + " generated token(s)");
    } else if (stalled) {
      status = Status.CANCELLED.withDescription("the client read nothing for "
          + java.time.Duration.ofNanos(stallTimeoutNanos) + " while tokens were waiting");
    } else {
      status = Status.CANCELLED.withDescription("generation cancelled");
    }
    call.onError(status.asRuntimeException());
  }

  /** The transport can take more: send what accumulated. */
  synchronized void onReady() {
    flush();
  }

  private void flush() {
    if (closed) {
      return;
    }
    if (call.isCancelled()) {
      closed = true; // the scheduler learns through the cancel handler; nothing more can be sent
      return;
    }
    if (!call.isReady()) {
      long now = System.nanoTime();
      if (notReadySince == 0) {
        notReadySince = now;
      } else if (!stalled && now - notReadySince > stallTimeoutNanos) {
        stalled = true;
        onStalled.run();
      }
      return;
    }
    notReadySince = 0;
    if (finalChunk != null) {
      call.onNext(finalChunk.setText(pendingText.toString()).addAllTokenIds(pendingIds).build());
      closed = true;
      call.onCompleted();
    } else if (!pendingIds.isEmpty() || pendingText.length() > 0) {
      call.onNext(GenerateResponse.newBuilder().setText(pendingText.toString()).addAllTokenIds(pendingIds).build());
    }
    pendingText.setLength(0);
    pendingIds.clear();
  }
}
