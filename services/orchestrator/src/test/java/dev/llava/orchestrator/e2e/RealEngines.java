package dev.llava.orchestrator.e2e;

import dev.llava.engine.lm.GenerationEngine;
import dev.llava.engine.lm.GeneratorGrpcAdapter;
import dev.llava.engine.lm.LmEngineConfig;
import dev.llava.engine.vision.BatchingOptions;
import dev.llava.engine.vision.ImageLimits;
import dev.llava.engine.vision.VisionEncoderEngine;
import dev.llava.engine.vision.VisionEncoderGrpcAdapter;
import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.runtime.LlavaRuntime;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;

/**
 * The real vision-encoder and projector-lm engines (the classes the two services wrap) serving a fixture checkpoint
 * on real gRPC servers on free ports, started once per test JVM.
 */
final class RealEngines {
  static final String MODEL = "tiny-next";
  static final Path CHECKPOINT = Path.of(System.getProperty("llava.shared.dir"), "fixtures", "tiny-llava-next");

  private static RealEngines instance;
  final Server vision;
  final Server generator;

  private RealEngines(Server vision, Server generator) {
    this.vision = vision;
    this.generator = generator;
  }

  static synchronized RealEngines get() throws Exception {
    if (instance == null) {
      LlavaRuntime visionRuntime = LlavaRuntime.load(CHECKPOINT, EnumSet.of(ModelPart.VISION));
      VisionEncoderEngine encoder = new VisionEncoderEngine(visionRuntime, MODEL,
          new ImageLimits(20 << 20, 40_000_000, 8), new BatchingOptions(16, Duration.ofMillis(5), 256, 2),
          64L << 20, true, new SimpleMeterRegistry());
      GenerationEngine generation = GenerationEngine.load(CHECKPOINT, LmEngineConfig.defaults(MODEL),
          new SimpleMeterRegistry());
      Server v = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
          .addService(new VisionEncoderGrpcAdapter(encoder)).maxInboundMessageSize(64 << 20).build().start();
      Server g = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
          .addService(new GeneratorGrpcAdapter(generation)).maxInboundMessageSize(64 << 20).build().start();
      instance = new RealEngines(v, g);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        v.shutdownNow();
        g.shutdownNow();
        generation.close();
        encoder.close();
        visionRuntime.close();
      }));
    }
    return instance;
  }
}
