package dev.llava.engine.vision;

import dev.llava.engine.wire.ImageLayoutProtos;
import dev.llava.engine.wire.TensorCodec;
import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.EncodeRequest;
import dev.llava.proto.v1.EncodeResponse;
import dev.llava.proto.v1.EncodedImage;
import dev.llava.proto.v1.ImageInput;
import dev.llava.proto.v1.VisionEncoderGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code VisionEncoder} over gRPC: checks the model and the request, encodes every image concurrently through the
 * engine and maps failures to status codes (bad input INVALID_ARGUMENT, overload RESOURCE_EXHAUSTED, unknown model
 * NOT_FOUND, other revision FAILED_PRECONDITION). Plain grpc-java, so it runs inside Quarkus or any io.grpc.Server.
 */
public class VisionEncoderGrpcAdapter extends VisionEncoderGrpc.VisionEncoderImplBase {
  private final VisionEncoderEngine engine;

  public VisionEncoderGrpcAdapter(VisionEncoderEngine engine) {
    this.engine = engine;
  }

  @Override
  public void encode(EncodeRequest request, StreamObserver<EncodeResponse> responses) {
    List<CompletableFuture<VisionEncoderEngine.Encoded>> futures;
    DType dtype;
    try {
      checkModel(request);
      dtype = request.getFeatureDtype() == DType.DTYPE_UNSPECIFIED ? DType.FLOAT16 : request.getFeatureDtype();
      if (dtype != DType.FLOAT16 && dtype != DType.FLOAT32 && dtype != DType.BFLOAT16) {
        throw invalid("feature_dtype must be FLOAT16, FLOAT32 or BFLOAT16, got " + request.getFeatureDtype());
      }
      int count = request.getImagesCount();
      if (count == 0 || count > engine.limits().maxImagesPerRequest()) {
        throw invalid("expected 1 to " + engine.limits().maxImagesPerRequest() + " images per call, got " + count);
      }
      futures = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        futures.add(engine.encode(bytesOf(request.getImages(i), i)));
      }
    } catch (RuntimeException e) {
      responses.onError(toStatus(e));
      return;
    }
    DType wire = dtype;
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
      if (failure != null) {
        responses.onError(toStatus(failure));
        return;
      }
      EncodeResponse.Builder out = EncodeResponse.newBuilder().setModelRevision(engine.revision());
      double decode = 0;
      double preprocess = 0;
      double encode = 0;
      for (CompletableFuture<VisionEncoderEngine.Encoded> f : futures) {
        VisionEncoderEngine.Encoded e = f.join();
        EncodedFeatures ef = e.features();
        out.addImages(EncodedImage.newBuilder()
            .setFeatures(TensorCodec.encode(ef.features(), wire, ef.tiles(), ef.patchesPerTile(), ef.width()))
            .setLayout(ImageLayoutProtos.toProto(ef.layout()))
            .setDigest(ef.digest()));
        out.addCacheHits(e.cacheHit());
        decode += e.decodeNanos() / 1e6;
        preprocess += e.preprocessNanos() / 1e6;
        encode += e.encodeNanos() / 1e6;
      }
      responses.onNext(out.setDecodeMs(decode).setPreprocessMs(preprocess).setEncodeMs(encode).build());
      responses.onCompleted();
    });
  }

  private void checkModel(EncodeRequest request) {
    String name = request.getModel().getName();
    if (!name.isEmpty() && !name.equals(engine.modelName())) {
      throw Status.NOT_FOUND.withDescription("model '" + name + "' is not served here (serving '"
          + engine.modelName() + "')").asRuntimeException();
    }
    String revision = request.getModel().getRevision();
    if (!revision.isEmpty() && !revision.equals(engine.revision())) {
      throw Status.FAILED_PRECONDITION.withDescription("model '" + engine.modelName() + "' revision " + revision
          + " requested, serving revision " + engine.revision()).asRuntimeException();
    }
  }

  private static byte[] bytesOf(ImageInput image, int index) {
    switch (image.getSourceCase()) {
      case DATA:
        return image.getData().toByteArray();
      case URI:
        String uri = image.getUri();
        if (uri.startsWith("data:")) {
          int comma = uri.indexOf(',');
          if (comma < 0 || !uri.substring(0, comma).endsWith(";base64")) {
            throw invalid("images[" + index + "]: expected a base64 data URI (data:image/...;base64,...)");
          }
          try {
            return Base64.getMimeDecoder().decode(uri.substring(comma + 1));
          } catch (IllegalArgumentException e) {
            throw invalid("images[" + index + "]: data URI is not valid base64: " + e.getMessage());
          }
        }
        throw invalid("images[" + index + "]: the vision encoder takes image bytes or data: URIs; "
            + "http(s) URLs are fetched by the orchestrator, got '" + abbreviate(uri) + "'");
      default:
        throw invalid("images[" + index + "]: no image data (set data or uri)");
    }
  }

  private static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  static StatusRuntimeException toStatus(Throwable t) {
    Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    if (e instanceof OverloadedException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    return Status.INTERNAL.withDescription("encoding failed: " + e).withCause(e).asRuntimeException();
  }
}
