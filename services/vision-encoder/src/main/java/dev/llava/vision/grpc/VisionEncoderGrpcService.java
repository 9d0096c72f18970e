package dev.llava.vision.grpc;

import dev.llava.proto.v1.EncodeRequest;
import dev.llava.proto.v1.EncodeResponse;
import dev.llava.proto.v1.VisionEncoderGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;

/** gRPC adapter of the vision encoder. */
@GrpcService
public class VisionEncoderGrpcService extends VisionEncoderGrpc.VisionEncoderImplBase {

  @Override
  public void encode(EncodeRequest request, StreamObserver<EncodeResponse> responses) {
    responses.onError(Status.UNIMPLEMENTED
        .withDescription("VisionEncoder.Encode is not implemented yet (vision-encoder issue)")
        .asRuntimeException());
  }
}
