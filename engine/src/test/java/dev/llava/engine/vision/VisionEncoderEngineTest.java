package dev.llava.engine.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.llava.engine.TestCheckpoints;
import dev.llava.engine.wire.TensorCodec;
import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.io.Npy;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.EncodeRequest;
import dev.llava.proto.v1.EncodeResponse;
import dev.llava.proto.v1.ImageInput;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.VisionEncoderGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VisionEncoderEngineTest {
  private static final Path NEXT = TestCheckpoints.llavaNext();
  private static LlavaRuntime runtime;
  private static VisionEncoderEngine engine;
  private static SimpleMeterRegistry registry;
  private static Server server;
  private static ManagedChannel channel;
  private static VisionEncoderGrpc.VisionEncoderBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    runtime = LlavaRuntime.load(NEXT, EnumSet.of(ModelPart.VISION));
    registry = new SimpleMeterRegistry();
    engine = new VisionEncoderEngine(runtime, "tiny-next", new ImageLimits(1 << 20, 4_000_000, 4),
        new BatchingOptions(16, Duration.ofMillis(100), 64, 2), 64L << 20, false, registry);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(new VisionEncoderGrpcAdapter(engine)).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    stub = VisionEncoderGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    server.shutdownNow();
    engine.close();
    runtime.close();
  }

  private static EncodeRequest request(byte[]... images) {
    EncodeRequest.Builder r = EncodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("tiny-next"));
    for (byte[] i : images) {
      r.addImages(ImageInput.newBuilder().setData(ByteString.copyFrom(i)));
    }
    return r.build();
  }

  @Test
  void featuresMatchTheReferenceSelectedLayerAndTheLayoutIsAnyRes() throws Exception {
    byte[] png = Files.readAllBytes(NEXT.resolve("expected/image_0.png"));
    EncodeResponse r = stub.encode(request(png).toBuilder().setFeatureDtype(DType.FLOAT32).build());
    var image = r.getImages(0);
    assertEquals(List.of(5L, 576L, 48L), image.getFeatures().getShapeList());
    float[] got = TensorCodec.decode(image.getFeatures());
    float[] want = Npy.read(NEXT.resolve("expected/vision_selected_features.npy")).toFloats();
    assertEquals(0, maxDiff(want, got), 1e-4);
    assertEquals(2, image.getLayout().getGridRows());
    assertEquals(34, image.getLayout().getUnpaddedRows());
    assertEquals(2242, image.getLayout().getImageTokens());
    assertTrue(image.getDigest().startsWith("sha256:"));
    assertEquals(runtime.revision(), r.getModelRevision());

    // the default wire dtype is FLOAT16: half the bytes, within fp16 rounding of the same features
    EncodeResponse half = stub.encode(request(png));
    assertEquals(DType.FLOAT16, half.getImages(0).getFeatures().getDtype());
    assertTrue(half.getCacheHits(0), "second request of the same bytes is a cache hit");
    float[] h = TensorCodec.decode(half.getImages(0).getFeatures());
    for (int i = 0; i < got.length; i++) {
      assertEquals(got[i], h[i], Math.abs(got[i]) * 1e-3 + 1e-4);
    }
  }

  @Test
  void aCachedImageReturnsWithoutTouchingTheModel() throws Exception {
    byte[] jpeg = TestImages.solid(400, 300, Color.BLUE, "jpg");
    EncodeResponse first = stub.encode(request(jpeg));
    assertFalse(first.getCacheHits(0));
    long batches = engine.batches();
    long hits = engine.cache().hits();
    EncodeResponse second = stub.encode(request(jpeg));
    assertTrue(second.getCacheHits(0));
    assertEquals(batches, engine.batches(), "no forward pass for a cache hit");
    assertEquals(hits + 1, engine.cache().hits());
    assertEquals(first.getImages(0).getFeatures(), second.getImages(0).getFeatures());
    assertEquals(0.0, second.getEncodeMs());
  }

  @Test
  void concurrentRequestsAreBatchedIntoSharedForwardPasses() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(6);
    try {
      List<Future<EncodeResponse>> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        byte[] png = TestImages.solid(300 + 20 * i, 300, new Color(40 * i, 100, 200), "png");
        calls.add(clients.submit(() -> stub.encode(request(png))));
      }
      for (Future<EncodeResponse> c : calls) {
        assertEquals(576, c.get().getImages(0).getFeatures().getShape(1));
      }
    } finally {
      clients.shutdownNow();
    }
    double max = registry.get("llava.vision.batch.size").summary().max();
    assertTrue(max > 5, "tiles of concurrent requests shared a forward pass (one image has at most 5), max batch " + max);
  }

  @Test
  void everyImageFormatDecodes() throws Exception {
    for (String format : List.of("png", "jpg", "bmp", "gif")) {
      EncodeResponse r = stub.encode(request(TestImages.solid(200 + format.length(), 150, Color.RED, format)));
      assertEquals(150, r.getImages(0).getLayout().getOriginalHeight(), format);
    }
    byte[] png = TestImages.solid(120, 90, Color.GREEN, "png");
    String dataUri = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    EncodeResponse viaUri = stub.encode(EncodeRequest.newBuilder()
        .addImages(ImageInput.newBuilder().setUri(dataUri)).build());
    assertEquals(120, viaUri.getImages(0).getLayout().getOriginalWidth());
  }

  @Test
  void badInputGetsTheRightStatusAndSaysWhatWasWrong() throws Exception {
    assertStatus(Status.Code.INVALID_ARGUMENT, "unsupported or unrecognised", request("not an image".getBytes()));
    byte[] png = TestImages.solid(300, 200, Color.RED, "png");
    assertStatus(Status.Code.INVALID_ARGUMENT, "", request(java.util.Arrays.copyOf(png, png.length / 2)));
    assertStatus(Status.Code.INVALID_ARGUMENT, "the limit is 4000000", request(TestImages.pngHeaderOnly(50_000, 50_000)));
    assertStatus(Status.Code.INVALID_ARGUMENT, "the limit is 1048576", request(new byte[(1 << 20) + 1]));
    assertStatus(Status.Code.INVALID_ARGUMENT, "expected 1 to 4 images per call, got 5",
        request(png, png, png, png, png));
    assertStatus(Status.Code.INVALID_ARGUMENT, "expected 1 to 4 images per call, got 0", request());
    assertStatus(Status.Code.INVALID_ARGUMENT, "fetched by the orchestrator", EncodeRequest.newBuilder()
        .addImages(ImageInput.newBuilder().setUri("http://169.254.169.254/latest")).build());
    assertStatus(Status.Code.NOT_FOUND, "'llava-13b' is not served here", request(png).toBuilder()
        .setModel(ModelRef.newBuilder().setName("llava-13b")).build());
    assertStatus(Status.Code.FAILED_PRECONDITION, "revision deadbeef requested", request(png).toBuilder()
        .setModel(ModelRef.newBuilder().setName("tiny-next").setRevision("deadbeef")).build());
    assertTrue(registry.get("llava.vision.rejected").tag("reason", "invalid").counter().count() >= 4);
  }

  @Test
  void aFullQueueAnswersResourceExhaustedQuickly() throws Exception {
    try (LlavaRuntime small = LlavaRuntime.load(TestCheckpoints.llava15(), EnumSet.of(ModelPart.VISION));
        VisionEncoderEngine tiny = new VisionEncoderEngine(small, "m", new ImageLimits(1 << 20, 4_000_000, 8),
            new BatchingOptions(1, Duration.ZERO, 1, 1), 0, false, new SimpleMeterRegistry())) {
      VisionEncoderGrpcAdapter adapter = new VisionEncoderGrpcAdapter(tiny);
      String name = InProcessServerBuilder.generateName();
      Server s = InProcessServerBuilder.forName(name).addService(adapter).build().start();
      ManagedChannel c = InProcessChannelBuilder.forName(name).build();
      try {
        byte[][] images = new byte[8][];
        for (int i = 0; i < 8; i++) {
          images[i] = TestImages.solid(100 + i, 100, Color.ORANGE, "png");
        }
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> VisionEncoderGrpc.newBlockingStub(c).encode(request(images).toBuilder().clearModel().build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("capacity 1"), e.getStatus().getDescription());
      } finally {
        c.shutdownNow();
        s.shutdownNow();
      }
    }
  }

  private static void assertStatus(Status.Code code, String messagePart, EncodeRequest request) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.encode(request));
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains(messagePart), e.getStatus().getDescription());
  }

  private static double maxDiff(float[] a, float[] b) {
    assertArrayEquals(new int[] {a.length}, new int[] {b.length});
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
