package dev.llava.engine.lm;

import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.GenerateResponse;
import dev.llava.proto.v1.GeneratorGrpc;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code llava.v1.Generator} service over a {@link GenerationEngine}, in plain grpc-java: the Quarkus service
 * extends it, and the orchestrator's tests and the load tester run it on an in-process or Netty server.
 *
 * <p>Cancelling the call, or its deadline passing, cancels the sequence: the scheduler stops it within one step
 * and frees its slot. Exceptions become statuses via {@link GrpcStatuses}.
 */
public class GeneratorGrpcAdapter extends GeneratorGrpc.GeneratorImplBase {
  private final GenerationEngine engine;

  public GeneratorGrpcAdapter(GenerationEngine engine) {
    this.engine = engine;
  }

  public GenerationEngine engine() {
    return engine;
  }

  @Override
  public void generate(GenerateRequest request, StreamObserver<GenerateResponse> responses) {
    long start = System.nanoTime();
    ServerCallStreamObserver<GenerateResponse> call = (ServerCallStreamObserver<GenerateResponse>) responses;
    StreamingResponder responder = new StreamingResponder(call);
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
    call.setOnCancelHandler(cancel);
    call.setOnReadyHandler(responder::onReady);
    // a deadline also cancels the server Context; listen to it too, whatever the transport does with the call
    Context.current().addListener(ctx -> cancel.run(), Runnable::run);
    try {
      handle.set(engine.generate(request, responder, start));
    } catch (RuntimeException e) {
      responder.onFailed(e);
      return;
    }
    if (cancelled.get()) {
      handle.get().cancel();
    }
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
