package dev.llava.engine.lm;

import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.GenerateResponse;
import dev.llava.proto.v1.GeneratorGrpc;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code llava.v1.Generator} service over a {@link GenerationEngine}, in plain grpc-java: the Quarkus service
 * delegates to it, and the orchestrator's tests and the load tester run it on an in-process or Netty server.
 *
 * <p>Cancelling the call, or its deadline passing, cancels the sequence: the scheduler stops it within one step
 * and frees its slot. Three signals, since transports differ: the call's cancel handler and Context cancellation
 * (grpc-java), the deadline handed to the scheduler (Context deadline or {@link GrpcTimeoutInterceptor}), and a
 * stream that stays not-ready for the stall timeout (see {@link StreamingResponder}). Exceptions become statuses
 * via {@link GrpcStatuses}.
 */
public class GeneratorGrpcAdapter extends GeneratorGrpc.GeneratorImplBase {
  /** How long a stream may stay not-ready while tokens are waiting before its sequence is cancelled. */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);

  private final GenerationEngine engine;
  private final Duration stallTimeout;

  public GeneratorGrpcAdapter(GenerationEngine engine) {
    this(engine, DEFAULT_STALL_TIMEOUT);
  }

  public GeneratorGrpcAdapter(GenerationEngine engine, Duration stallTimeout) {
    this.engine = engine;
    this.stallTimeout = stallTimeout;
  }

  public GenerationEngine engine() {
    return engine;
  }

  @Override
  public void generate(GenerateRequest request, StreamObserver<GenerateResponse> responses) {
    long start = System.nanoTime();
    ServerCallStreamObserver<GenerateResponse> call = (ServerCallStreamObserver<GenerateResponse>) responses;
    // Handlers must be installed before this method returns, i.e. before the handle exists: a cancel that
    // arrives in between is remembered and applied once it does.
    AtomicReference<GenerationHandle> handle = new AtomicReference<>();
    AtomicBoolean cancelled = new AtomicBoolean();
    Runnable cancel = () -> {
      cancelled.set(true);
      GenerationHandle h = handle.get();
      if (h != null) {
        h.cancel();
      }
    };
    long deadline = deadlineNanos(start);
    StreamingResponder responder = new StreamingResponder(call, stallTimeout, cancel, deadline);
    call.setOnCancelHandler(cancel);
    call.setOnReadyHandler(responder::onReady);
    // a deadline also cancels the server Context; listen to it too, whatever the transport does with the call
    Context.current().addListener(ctx -> cancel.run(), Runnable::run);
    try {
      handle.set(engine.generate(request, responder, start, deadline));
    } catch (RuntimeException e) {
      responder.onFailed(e);
      return;
    }
    if (cancelled.get()) {
      handle.get().cancel();
    }
  }

  /** The earlier of the Context deadline and the {@code grpc-timeout} header's, as nanoTime; 0 for none. */
  private static long deadlineNanos(long now) {
    long deadline = 0;
    Deadline d = Context.current().getDeadline();
    if (d != null) {
      deadline = now + d.timeRemaining(TimeUnit.NANOSECONDS);
    }
    Long header = GrpcTimeoutInterceptor.DEADLINE_NANOS.get();
    if (header != null && (deadline == 0 || header - deadline < 0)) {
      deadline = header;
    }
    return deadline;
  }

  @Override
  public void countTokens(GenerateRequest request, StreamObserver<CountTokensResponse> responses) {
    CountTokensResponse response;
    try {
      response = engine.countTokens(request);
    } catch (RuntimeException e) {
      responses.onError(GrpcStatuses.of(e).asRuntimeException());
      return;
    }
    responses.onNext(response);
    responses.onCompleted();
  }
}
