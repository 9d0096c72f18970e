package dev.llava.orchestrator.testing;

import com.google.protobuf.ByteString;
import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.EncodeRequest;
import dev.llava.proto.v1.EncodeResponse;
import dev.llava.proto.v1.EncodedImage;
import dev.llava.proto.v1.ImageLayout;
import dev.llava.proto.v1.Tensor;
import dev.llava.proto.v1.VisionEncoderGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * A test backend, not the real vision encoder: decodes each image with ImageIO and answers a tiny FLOAT16
 * feature tensor [1, 4, 8] with a layout carrying the image's real size and {@code ceil(w*h/1000)} image
 * tokens. Failures are scripted: a shared {@link FailureScript} or this replica being {@link #down}.
 */
public final class ScriptedVisionEncoder extends VisionEncoderGrpc.VisionEncoderImplBase {
  public final String name;
  private final FailureScript shared;
  public volatile boolean down;
  public volatile long delayMillis;
  public final AtomicInteger calls = new AtomicInteger();
  public final AtomicInteger served = new AtomicInteger();
  public final AtomicInteger maxImagesPerCall = new AtomicInteger();

  ScriptedVisionEncoder(String name, FailureScript shared) {
    this.name = name;
    this.shared = shared;
  }

  public static int imageTokens(int width, int height) {
    return (int) Math.max(1, Math.ceil(width * (double) height / 1000));
  }

  @Override
  public void encode(EncodeRequest request, StreamObserver<EncodeResponse> out) {
    calls.incrementAndGet();
    maxImagesPerCall.accumulateAndGet(request.getImagesCount(), Math::max);
    if (down) {
      out.onError(Status.UNAVAILABLE.withDescription(name + " is down (test)").asRuntimeException());
      return;
    }
    Status failure = shared.take();
    if (failure != null) {
      out.onError(failure.withDescription(name + " scripted failure").asRuntimeException());
      return;
    }
    sleep(delayMillis);
    EncodeResponse.Builder response = EncodeResponse.newBuilder().setModelRevision("test-rev");
    for (var input : request.getImagesList()) {
      if (!input.hasData() && !input.hasUri()) {
        out.onError(Status.INVALID_ARGUMENT.withDescription("image has no source").asRuntimeException());
        return;
      }
      byte[] bytes = input.getData().toByteArray();
      BufferedImage image;
      try {
        image = ImageIO.read(new ByteArrayInputStream(bytes));
      } catch (IOException e) {
        image = null;
      }
      if (image == null) {
        out.onError(Status.INVALID_ARGUMENT.withDescription("undecodable image (" + bytes.length + " bytes)")
            .asRuntimeException());
        return;
      }
      int w = image.getWidth();
      int h = image.getHeight();
      response.addImages(EncodedImage.newBuilder()
          .setFeatures(Tensor.newBuilder().setDtype(DType.FLOAT16).addShape(1).addShape(4).addShape(8)
              .setData(ByteString.copyFrom(new byte[64])))
          .setLayout(ImageLayout.newBuilder().setOriginalWidth(w).setOriginalHeight(h).setTileSize(336)
              .setPatchesPerSide(24).setImageTokens(imageTokens(w, h)))
          .setDigest("sha256:" + sha256(bytes)));
      response.addCacheHits(false);
    }
    response.setDecodeMs(2.0 * request.getImagesCount()).setPreprocessMs(1.0 * request.getImagesCount())
        .setEncodeMs(10.0 * request.getImagesCount());
    served.incrementAndGet();
    out.onNext(response.build());
    out.onCompleted();
  }

  static void sleep(long millis) {
    if (millis > 0) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  void reset() {
    down = false;
    delayMillis = 0;
    calls.set(0);
    served.set(0);
    maxImagesPerCall.set(0);
  }
}
