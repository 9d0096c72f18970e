package dev.llava.lm.grpc;

import dev.llava.engine.lm.GeneratorGrpcAdapter;
import dev.llava.lm.service.GenerationEngineHolder;
import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.GenerateResponse;
import dev.llava.proto.v1.GeneratorGrpc;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/**
 * {@code llava.v1.Generator} on the HTTP port: the engine's {@link GeneratorGrpcAdapter} once the model is loaded,
 * UNAVAILABLE while it loads, FAILED_PRECONDITION when no model is configured or it failed to load.
 * Blocking: requests are tokenized and their image tensors decoded on a worker thread, not the event loop;
 * generation itself runs on the engine's scheduler thread and streams back from there.
 */
@GrpcService
public class GeneratorGrpcService extends GeneratorGrpc.GeneratorImplBase {
  private final GenerationEngineHolder holder;

  public GeneratorGrpcService(GenerationEngineHolder holder) {
    this.holder = holder;
  }

  @Override
  @Blocking
  public void generate(GenerateRequest request, StreamObserver<GenerateResponse> responses) {
    GeneratorGrpcAdapter adapter = holder.adapter();
    if (adapter == null) {
      responses.onError(holder.unavailableStatus().asRuntimeException());
      return;
    }
    adapter.generate(request, responses);
  }

  @Override
  @Blocking
  public void countTokens(GenerateRequest request, StreamObserver<CountTokensResponse> responses) {
    GeneratorGrpcAdapter adapter = holder.adapter();
    if (adapter == null) {
      responses.onError(holder.unavailableStatus().asRuntimeException());
      return;
    }
    adapter.countTokens(request, responses);
  }
}
