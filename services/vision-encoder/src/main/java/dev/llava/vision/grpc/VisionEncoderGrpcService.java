package dev.llava.vision.grpc;

import dev.llava.engine.vision.VisionEncoderGrpcAdapter;
import dev.llava.proto.v1.EncodeRequest;
import dev.llava.proto.v1.EncodeResponse;
import dev.llava.proto.v1.VisionEncoderGrpc;
import dev.llava.vision.service.VisionModelHolder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** The Quarkus gRPC endpoint: delegates to the engine's adapter once the model is loaded. */
@GrpcService
public class VisionEncoderGrpcService extends VisionEncoderGrpc.VisionEncoderImplBase {
  private final VisionModelHolder holder;

  public VisionEncoderGrpcService(VisionModelHolder holder) {
    this.holder = holder;
  }

  @Override
  @Blocking
  public void encode(EncodeRequest request, StreamObserver<EncodeResponse> responses) {
    VisionEncoderGrpcAdapter adapter = holder.adapter();
    if (adapter == null) {
      responses.onError(Status.UNAVAILABLE.withDescription("vision-encoder not ready: " + holder.problem())
          .asRuntimeException());
      return;
    }
    adapter.encode(request, responses);
  }
}
