package dev.llava.vision;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.llava.engine.wire.TensorCodec;
import dev.llava.model.io.Npy;
import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.EncodeRequest;
import dev.llava.proto.v1.EncodeResponse;
import dev.llava.proto.v1.ImageInput;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.VisionEncoderGrpc;
import dev.llava.testing.MetricsSnapshot;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class VisionEncoderServiceTest {
  private static final Path NEXT = Path.of(System.getProperty("llava.shared.dir"), "fixtures", "tiny-llava-next");
  private ManagedChannel channel;
  private VisionEncoderGrpc.VisionEncoderBlockingStub stub;

  @BeforeEach
  void connect() {
    Awaitility.await().atMost(Duration.ofMinutes(2))
        .until(() -> given().get("/q/health/ready").statusCode() == 200);
    channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
    stub = VisionEncoderGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void encodesTheFixtureImageLikeTheModelOverARealChannel() throws Exception {
    EncodeResponse r = stub.encode(EncodeRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName("tiny-next"))
        .setFeatureDtype(DType.FLOAT32)
        .addImages(ImageInput.newBuilder().setData(ByteString.copyFrom(Files.readAllBytes(
            NEXT.resolve("expected/image_0.png")))))
        .build());
    assertEquals(List.of(5L, 576L, 48L), r.getImages(0).getFeatures().getShapeList());
    float[] got = TensorCodec.decode(r.getImages(0).getFeatures());
    float[] want = Npy.read(NEXT.resolve("expected/vision_selected_features.npy")).toFloats();
    double max = 0;
    for (int i = 0; i < want.length; i++) {
      max = Math.max(max, Math.abs(want[i] - got[i]));
    }
    assertTrue(max <= 1e-4, "max |diff| " + max);
    assertEquals(2242, r.getImages(0).getLayout().getImageTokens());
  }

  @Test
  void badInputAndUnknownModelsGetTheirStatusCodes() {
    StatusRuntimeException bad = assertThrows(StatusRuntimeException.class, () -> stub.encode(
        EncodeRequest.newBuilder().addImages(ImageInput.newBuilder().setData(ByteString.copyFromUtf8("nope"))).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> stub.encode(
        EncodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("other"))
            .addImages(ImageInput.newBuilder().setData(ByteString.copyFromUtf8("x"))).build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
  }

  @Test
  void healthAndPrometheusMetricsAreServed() {
    given().get("/q/health/live").then().statusCode(200).body(containsString("UP"));
    given().get("/q/health/ready").then().statusCode(200).body(containsString("revision"));
    String metrics = given().get("/q/metrics").then().statusCode(200)
        .body(containsString("llava_vision_queue_depth"))
        .body(containsString("llava_vision_stage_seconds_bucket"))
        .body(containsString("llava_vision_cache_requests_total"))
        .body(containsString("llava_vision_batch_size_count"))
        .body(containsString("llava_vision_tiles_encoded_total"))
        .extract().asString();
    MetricsSnapshot.save(metrics);
  }
}
