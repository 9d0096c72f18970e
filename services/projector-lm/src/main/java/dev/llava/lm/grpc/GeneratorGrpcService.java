package dev.llava.lm.grpc;

import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.GenerateResponse;
import dev.llava.proto.v1.GeneratorGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;

/** gRPC adapter of the generation engine. */
@GrpcService
public class GeneratorGrpcService extends GeneratorGrpc.GeneratorImplBase {

  @Override
  public void generate(GenerateRequest request, StreamObserver<GenerateResponse> responses) {
    responses.onError(Status.UNIMPLEMENTED
        .withDescription("Generator.Generate is not implemented yet (projector-lm issue)")
        .asRuntimeException());
  }

  @Override
  public void countTokens(GenerateRequest request, StreamObserver<CountTokensResponse> responses) {
    responses.onError(Status.UNIMPLEMENTED
        .withDescription("Generator.CountTokens is not implemented yet (projector-lm issue)")
        .asRuntimeException());
  }
}
