package dev.llava.engine.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.llava.engine.wire.TensorCodec;
import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.EncodedImage;
import dev.llava.proto.v1.EncodedPart;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.Tensor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed encoded images are refused before they reach the scheduler, with INVALID_ARGUMENT naming what
 * differs and what was expected. LLaVA-NeXT: a 500x300 image has a base tile + 2x1 grid (3 tiles), 576 patches
 * of width 48 (the tiny CLIP).
 */
class ImageValidationTest {
  private static InProcessGenerator server;
  private static TestPrompts.Image image;

  @BeforeAll
  static void start() throws Exception {
    server = new InProcessGenerator(LmFixtures.llavaNext(), LmEngineConfig.defaults(TestPrompts.MODEL));
    image = TestPrompts.randomImage(server.engine.runtime(), 500, 300, 7);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** The request with its image changed by {@code edit}. */
  private static GenerateRequest withImage(UnaryOperator<EncodedImage.Builder> edit) {
    GenerateRequest r = TestPrompts.request("What is it?", List.of(image), 3, false, DType.FLOAT16);
    EncodedImage changed = edit.apply(r.getMessages(0).getParts(0).getImage().toBuilder()).build();
    return r.toBuilder().setMessages(0, r.getMessages(0).toBuilder()
        .setParts(0, EncodedPart.newBuilder().setImage(changed))).build();
  }

  private static Tensor features(DType dtype, long... shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    return TensorCodec.encode(new float[n], dtype, shape);
  }

  private static void assertInvalid(GenerateRequest request, String... fragments) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> server.blocking().generate(request).forEachRemaining(r -> {}));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    String message = e.getStatus().getDescription();
    for (String f : fragments) {
      assertTrue(message.contains(f), "'" + message + "' should mention '" + f + "'");
    }
  }

  @Test
  void theWellFormedImageIsAccepted() {
    assertEquals(3, image.layout().numTiles());
    server.blocking().generate(withImage(b -> b)).forEachRemaining(r -> {});
  }

  @Test
  void bytesThatDoNotMatchTheDtypeAreRefused() {
    // FLOAT16 declared, FLOAT32 bytes sent: twice the expected length
    Tensor f32 = features(DType.FLOAT32, 3, 576, 48);
    assertInvalid(withImage(b -> b.setFeatures(f32.toBuilder().setDtype(DType.FLOAT16))),
        "image 0: features", "FLOAT16", "needs 165888 bytes, got 331776");
    assertInvalid(withImage(b -> b.setFeatures(f32.toBuilder().setDtype(DType.DTYPE_UNSPECIFIED))),
        "dtype must be FLOAT32, FLOAT16 or BFLOAT16");
    assertInvalid(withImage(b -> b.setFeatures(f32.toBuilder().setData(ByteString.copyFrom(new byte[7])))),
        "needs 331776 bytes, got 7");
  }

  @Test
  void aShapeOfTheWrongRankIsRefused() {
    assertInvalid(withImage(b -> b.setFeatures(features(DType.FLOAT16, 3 * 576, 48))),
        "rank 3", "[3, 576, 48]", "got shape [1728, 48]");
  }

  @Test
  void theWrongVisionWidthIsRefused() {
    assertInvalid(withImage(b -> b.setFeatures(features(DType.FLOAT16, 3, 576, 64))),
        "width 64", "vision hidden size is 48", "[3, 576, 48]");
  }

  @Test
  void theWrongPatchCountIsRefused() {
    assertInvalid(withImage(b -> b.setFeatures(features(DType.FLOAT16, 3, 577, 48))),
        "577 patches per tile", "gives 576");
  }

  @Test
  void tilesThatDisagreeWithTheLayoutAreRefused() {
    assertInvalid(withImage(b -> b.setFeatures(features(DType.FLOAT16, 5, 576, 48))),
        "5 tiles", "base + 2x1 grid", "needs 3");
  }

  @Test
  void aLayoutThisModelWouldNotComputeIsRefused() {
    int tokens = image.layout().imageTokens();
    assertInvalid(withImage(b -> b.setLayout(b.getLayout().toBuilder().setImageTokens(tokens + 5))),
        "layout does not match", "500x300", "image_tokens " + (tokens + 5) + " (expected " + tokens + ")");
    assertInvalid(withImage(b -> b.setLayout(b.getLayout().toBuilder().setGridRows(1).setGridCols(2))),
        "grid_rows 1 (expected 2)", "grid_cols 2 (expected 1)");
    assertInvalid(withImage(b -> b.setLayout(b.getLayout().toBuilder().setOriginalHeight(0))),
        "image 0: layout", "at least 1x1");
  }

  @Test
  void missingFeaturesOrLayoutAreRefused() {
    assertInvalid(withImage(EncodedImage.Builder::clearFeatures), "features are required", "[3, 576, 48]");
    assertInvalid(withImage(EncodedImage.Builder::clearLayout), "layout is required");
  }
}
