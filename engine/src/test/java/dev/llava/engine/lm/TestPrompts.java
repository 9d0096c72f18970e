package dev.llava.engine.lm;

import dev.llava.engine.wire.ImageLayoutProtos;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.llava.engine.wire.TensorCodec;
import dev.llava.model.generate.SamplingParams;
import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.image.ProcessedImage;
import dev.llava.model.runtime.Generation;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.model.text.ChatMessage;
import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.EncodedImage;
import dev.llava.proto.v1.EncodedMessage;
import dev.llava.proto.v1.EncodedPart;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.Role;
import dev.llava.proto.v1.StoppingCriteria;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Requests for the engine and the answers the single-sequence reference path ({@link Generation#run}, what
 * {@code bin/llava generate} prints) gives for the same prompt, images and greedy settings.
 */
final class TestPrompts {
  static final String MODEL = "tiny";

  private TestPrompts() {}

  /** One image's pre-projector features [tiles, P, width] and layout, as the vision encoder would send them. */
  record Image(float[] features, ImageLayout layout, int patches, int width) {
    EncodedImage encoded(DType dtype) {
      return EncodedImage.newBuilder()
          .setFeatures(TensorCodec.encode(features, dtype, layout.numTiles(), patches, width))
          .setLayout(ImageLayoutProtos.toProto(layout)).build();
    }

    /** The features after a round trip through {@code dtype} (what the server decodes). */
    float[] onWire(DType dtype) {
      return TensorCodec.decode(TensorCodec.encode(features, dtype, layout.numTiles(), patches, width));
    }
  }

  /** Random features for an image of {@code height x width} pixels (AnyRes layouts differ by size). */
  static Image randomImage(LlavaRuntime runtime, int height, int width, long seed) {
    ImageLayout layout = runtime.imageProcessor().layout(height, width);
    float[] f = new float[layout.numTiles() * runtime.patchesPerTile() * runtime.visionWidth()];
    Random r = new Random(seed);
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) r.nextGaussian();
    }
    return new Image(f, layout, runtime.patchesPerTile(), runtime.visionWidth());
  }

  /** The fixture's own image through the real CLIP tower ({@code runtime} needs the VISION part). */
  static Image fixtureImage(LlavaRuntime runtime) throws IOException {
    ProcessedImage p = runtime.imageProcessor().process(
        new ImageDecoder().decode(runtime.dir().resolve("expected/image_0.png")));
    float[] features = runtime.encodeTiles(p.pixels().data(), p.pixels().tiles());
    return new Image(features, p.layout(), runtime.patchesPerTile(), runtime.visionWidth());
  }

  /** A USER message with the images first, then the text (LLaVA's layout); raw: the text verbatim. */
  static GenerateRequest request(String prompt, List<Image> images, int maxNewTokens, boolean raw, DType dtype) {
    EncodedMessage.Builder m = EncodedMessage.newBuilder().setRole(Role.USER);
    for (Image i : images) {
      m.addParts(EncodedPart.newBuilder().setImage(i.encoded(dtype)));
    }
    m.addParts(EncodedPart.newBuilder().setText(prompt));
    return GenerateRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName(MODEL))
        .addMessages(m)
        .setRawPrompt(raw)
        .setStopping(StoppingCriteria.newBuilder().setMaxNewTokens(maxNewTokens))
        .build();
  }

  static GenerateRequest request(String prompt, int maxNewTokens) {
    return request(prompt, List.of(), maxNewTokens, false, DType.FLOAT32);
  }

  /** Greedy reference for the same request, on the reference runtime (not the engine's). */
  static Generation.Result reference(LlavaRuntime runtime, String prompt, List<Image> images, int maxNewTokens,
      boolean raw, DType dtype) {
    List<ImageLayout> layouts = images.stream().map(Image::layout).toList();
    long[] ids = raw ? runtime.promptIds(prompt, layouts)
        : runtime.chatPromptIds(List.of(ChatMessage.userWithImages(images.size(), prompt)), "", layouts);
    try (NDManager scope = NDManager.newBaseManager(runtime.model().device())) {
      NDArray packed = null;
      if (!images.isEmpty()) {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (Image i : images) {
          float[] f = i.onWire(dtype);
          parts.add(f);
          total += f.length;
        }
        float[] all = new float[total];
        int at = 0;
        for (float[] f : parts) {
          System.arraycopy(f, 0, all, at, f.length);
          at += f.length;
        }
        packed = runtime.packFeatures(all, layouts, scope);
      }
      SamplingParams greedy = SamplingParams.greedy(maxNewTokens, runtime.stopTokenIds());
      return Generation.run(runtime, ids, packed, greedy, s -> {});
    }
  }
}
