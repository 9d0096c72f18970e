package dev.llava.loadtest;

import dev.llava.engine.lm.GenerationEngine;
import dev.llava.engine.lm.GenerationListener;
import dev.llava.engine.lm.GenerationResult;
import dev.llava.engine.lm.LmEngineConfig;
import dev.llava.engine.vision.BatchingOptions;
import dev.llava.engine.vision.EncodedFeatures;
import dev.llava.engine.vision.ImageLimits;
import dev.llava.engine.vision.VisionEncoderEngine;
import dev.llava.engine.wire.ImageLayoutProtos;
import dev.llava.engine.wire.TensorCodec;
import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.EncodedImage;
import dev.llava.proto.v1.EncodedMessage;
import dev.llava.proto.v1.EncodedPart;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.Role;
import dev.llava.proto.v1.StoppingCriteria;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;

/**
 * The baseline: the same two engines the services wrap (vision encoding with its batcher and cache, generation
 * with continuous batching), called directly in this process — no gRPC, no HTTP, no orchestrator. The service
 * path's latency divided by this one is the platform's overhead.
 */
public final class InProcessChatTarget implements ChatTarget {
  private final Path dir;
  private final LlavaRuntime visionRuntime;
  private final VisionEncoderEngine vision;
  private final GenerationEngine generation;
  private final String model;

  private InProcessChatTarget(Path dir, LlavaRuntime visionRuntime, VisionEncoderEngine vision,
      GenerationEngine generation, String model) {
    this.dir = dir;
    this.visionRuntime = visionRuntime;
    this.vision = vision;
    this.generation = generation;
    this.model = model;
  }

  /** Loads the checkpoint twice, as the two services do (vision tower; projector + language model). */
  public static InProcessChatTarget load(Path dir, String modelName) throws Exception {
    String name = modelName == null ? "inprocess" : modelName;
    LlavaRuntime visionRuntime = LlavaRuntime.load(dir, EnumSet.of(ModelPart.VISION));
    // the services' default limits, batching and cache (README)
    VisionEncoderEngine vision = new VisionEncoderEngine(visionRuntime, name, new ImageLimits(20 << 20, 40_000_000, 8),
        new BatchingOptions(16, Duration.ofMillis(5), 256, 2), 512L << 20, true, new SimpleMeterRegistry());
    GenerationEngine generation = GenerationEngine.load(dir, LmEngineConfig.defaults(name), new SimpleMeterRegistry());
    return new InProcessChatTarget(dir, visionRuntime, vision, generation, name);
  }

  @Override
  public RequestResult send(RequestSpec spec, long dueNanos) {
    TokenTimer timer = new TokenTimer(dueNanos);
    try {
      long start = System.nanoTime();
      EncodedMessage.Builder message = EncodedMessage.newBuilder().setRole(Role.USER);
      VisionEncoderEngine.Encoded image = spec.image() == null ? null : vision.encode(spec.image()).get();
      if (image != null) {
        EncodedFeatures f = image.features();
        message.addParts(EncodedPart.newBuilder().setImage(EncodedImage.newBuilder()
            .setFeatures(TensorCodec.encode(f.features(), DType.FLOAT16, f.tiles(), f.patchesPerTile(), f.width()))
            .setLayout(ImageLayoutProtos.toProto(f.layout()))
            .setDigest(f.digest())));
      }
      message.addParts(EncodedPart.newBuilder().setText(spec.question()));
      double visionMs = (System.nanoTime() - start) / 1e6;
      GenerateRequest request = GenerateRequest.newBuilder()
          .setModel(ModelRef.newBuilder().setName(model))
          .addMessages(message)
          .setStopping(StoppingCriteria.newBuilder().setMaxNewTokens(spec.maxTokens()))
          .build();
      CompletableFuture<String> done = new CompletableFuture<>();
      generation.generate(request, new GenerationListener() {
        @Override
        public void onTokens(String text, long[] tokenIds) {
          timer.onChunk(text, tokenIds.length);
        }

        @Override
        public void onFinished(String text, long[] tokenIds, GenerationResult result) {
          timer.onChunk(text, tokenIds.length);
          timer.stages = ServerStages.of(image, visionMs, result.timings());
          done.complete("OK");
        }

        @Override
        public void onFailed(RuntimeException error) {
          done.complete(error.getClass().getSimpleName());
        }
      });
      return timer.finish(spec, done.get());
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return timer.finish(spec, cause.getClass().getSimpleName());
    }
  }

  @Override
  public String describe() {
    return "inprocess:" + dir;
  }

  @Override
  public void close() {
    generation.close();
    vision.close();
    visionRuntime.close();
  }
}
