package dev.llava.orchestrator.grpc;

import dev.llava.orchestrator.config.OrchestratorConfig;
import dev.llava.proto.v1.ChatGrpc;
import dev.llava.proto.v1.ChatRequest;
import dev.llava.proto.v1.ChatResponse;
import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.ListModelsRequest;
import dev.llava.proto.v1.ListModelsResponse;
import dev.llava.proto.v1.ModelInfo;
import dev.llava.proto.v1.ModelRef;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;

/** The public gRPC API. */
@GrpcService
public class ChatGrpcService extends ChatGrpc.ChatImplBase {

  @Inject
  OrchestratorConfig config;

  @Override
  public void complete(ChatRequest request, StreamObserver<ChatResponse> responses) {
    responses.onError(Status.UNIMPLEMENTED
        .withDescription("Chat.Complete is not implemented yet (orchestrator issue)")
        .asRuntimeException());
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> responses) {
    ListModelsResponse.Builder out = ListModelsResponse.newBuilder();
    for (OrchestratorConfig.Model m : config.models()) {
      out.addModels(ModelInfo.newBuilder()
          .setModel(ModelRef.newBuilder().setName(m.name()).setRevision(m.revision().orElse("")))
          .setMaxContextTokens(m.maxContextTokens()));
    }
    responses.onNext(out.build());
    responses.onCompleted();
  }

  @Override
  public void countTokens(ChatRequest request, StreamObserver<CountTokensResponse> responses) {
    responses.onError(Status.UNIMPLEMENTED
        .withDescription("Chat.CountTokens is not implemented yet (orchestrator issue)")
        .asRuntimeException());
  }
}
