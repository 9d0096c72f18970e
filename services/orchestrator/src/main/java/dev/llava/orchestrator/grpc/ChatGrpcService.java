package dev.llava.orchestrator.grpc;

import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.orchestrator.pipeline.ChatListener;
import dev.llava.orchestrator.pipeline.ChatPipeline;
import dev.llava.orchestrator.pipeline.ChatResult;
import dev.llava.orchestrator.pipeline.ModelCatalog;
import dev.llava.proto.v1.ChatGrpc;
import dev.llava.proto.v1.ChatRequest;
import dev.llava.proto.v1.ChatResponse;
import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.ListModelsRequest;
import dev.llava.proto.v1.ListModelsResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The public gRPC API. Complete streams text deltas ({@code text} set) and then one final chunk with
 * finish reason, usage and timings; cancelling the call cancels projector-lm's Generate.
 */
@GrpcService
public class ChatGrpcService extends ChatGrpc.ChatImplBase {

  @Inject
  ChatPipeline pipeline;

  @Inject
  ModelCatalog models;

  @Inject
  StreamResetWatcher resets;

  private static Deadline callerDeadline() {
    Deadline own = Context.current().getDeadline();
    return own != null ? own : CallContextInterceptor.DEADLINE.get();
  }

  @Override
  public void complete(ChatRequest request, StreamObserver<ChatResponse> responses) {
    AtomicReference<ChatPipeline.RunningChat> running = new AtomicReference<>();
    AtomicBoolean clientGone = new AtomicBoolean();
    Runnable onCancel = () -> {
      clientGone.set(true);
      ChatPipeline.RunningChat run = running.get();
      if (run != null) {
        run.cancel();
      }
    };
    // grpc-java's own signals (they work on a separate gRPC server) plus the Vert.x stream-reset workaround
    if (responses instanceof ServerCallStreamObserver<ChatResponse> server) {
      server.setOnCancelHandler(onCancel);
    }
    Context.current().addListener(context -> onCancel.run(), Runnable::run);
    String tag = CallContextInterceptor.STREAM_TAG.get();
    resets.watch(tag, onCancel);

    String requestId = request.getRequestId().isEmpty() ? ChatPipeline.newRequestId() : request.getRequestId();
    ChatRequest withId = request.toBuilder().setRequestId(requestId).build();
    Object lock = new Object();
    ChatPipeline.RunningChat run = pipeline.start(withId, "grpc", callerDeadline(), new ChatListener() {
      @Override
      public void onText(String delta) {
        synchronized (lock) {
          if (!clientGone.get()) {
            responses.onNext(ChatResponse.newBuilder().setRequestId(requestId).setText(delta).build());
          }
        }
      }

      @Override
      public void onComplete(ChatResult result) {
        synchronized (lock) {
          if (!clientGone.get()) {
            responses.onNext(result.finalChunk());
            responses.onCompleted();
          }
          resets.forget(tag);
        }
      }

      @Override
      public void onError(ChatException error) {
        synchronized (lock) {
          if (!clientGone.get()) {
            responses.onError(error.toStatus());
          }
          resets.forget(tag);
        }
      }
    });
    running.set(run);
    if (clientGone.get()) {
      run.cancel();
    }
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> responses) {
    responses.onNext(ListModelsResponse.newBuilder().addAllModels(models.list()).build());
    responses.onCompleted();
  }

  @Override
  public void countTokens(ChatRequest request, StreamObserver<CountTokensResponse> responses) {
    pipeline.countTokens(request, "grpc", callerDeadline()).whenComplete((count, error) -> {
      if (error != null) {
        responses.onError(ChatException.from(error).toStatus());
      } else {
        responses.onNext(count);
        responses.onCompleted();
      }
    });
  }

}
