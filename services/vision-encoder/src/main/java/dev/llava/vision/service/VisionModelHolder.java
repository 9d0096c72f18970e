package dev.llava.vision.service;

import dev.llava.engine.vision.BatchingOptions;
import dev.llava.engine.vision.ImageLimits;
import dev.llava.engine.vision.VisionEncoderEngine;
import dev.llava.engine.vision.VisionEncoderGrpcAdapter;
import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.vision.config.VisionEncoderConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.jboss.logging.Logger;

/**
 * Loads the checkpoint's vision tower in the background at start-up (so liveness answers while a large model
 * loads, and readiness turns UP only once it is loaded) and owns the engine.
 */
@ApplicationScoped
public class VisionModelHolder {
  private static final Logger LOG = Logger.getLogger(VisionModelHolder.class);

  private final VisionEncoderConfig config;
  private final MeterRegistry registry;
  private volatile LlavaRuntime runtime;
  private volatile VisionEncoderEngine engine;
  private volatile VisionEncoderGrpcAdapter adapter;
  private volatile String problem = "model is loading";

  public VisionModelHolder(VisionEncoderConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  void onStart(@Observes StartupEvent event) {
    if (config.modelDir().isEmpty()) {
      problem = "no model configured: set llava.vision.model-dir (LLAVA_MODEL_DIR) to a checkpoint directory";
      LOG.warn(problem);
      return;
    }
    Thread loader = new Thread(this::load, "vision-model-loader");
    loader.setDaemon(true);
    loader.start();
  }

  private void load() {
    Path dir = Path.of(config.modelDir().get());
    long start = System.nanoTime();
    try {
      LlavaRuntime rt = LlavaRuntime.load(dir, EnumSet.of(ModelPart.VISION));
      VisionEncoderConfig.Limits l = config.limits();
      VisionEncoderConfig.Batching b = config.batching();
      engine = new VisionEncoderEngine(rt, config.modelName(),
          new ImageLimits(l.maxImageBytes(), l.maxImagePixels(), l.maxImagesPerRequest()),
          new BatchingOptions(b.maxTilesPerBatch(), Duration.ofMillis(b.maxWaitMillis()), b.queueCapacity(),
              b.preprocessThreads()),
          config.cache().maxBytes(), config.applyExifOrientation(), registry);
      runtime = rt;
      adapter = new VisionEncoderGrpcAdapter(engine);
      problem = null;
      LOG.infof("loaded vision tower of %s (revision %s) from %s in %.1f s", config.modelName(), rt.revision(), dir,
          (System.nanoTime() - start) / 1e9);
    } catch (Exception | Error e) {
      problem = "loading the model from " + dir + " failed: " + e.getMessage();
      LOG.error(problem, e);
    }
  }

  /** The adapter, or null while loading / after a failed load (see {@link #problem()}). */
  public VisionEncoderGrpcAdapter adapter() {
    return adapter;
  }

  public VisionEncoderEngine engine() {
    return engine;
  }

  /** Why the service is not ready, or null when it is. */
  public String problem() {
    return problem;
  }

  void onStop(@Observes ShutdownEvent event) {
    if (engine != null) {
      engine.close();
    }
    if (runtime != null) {
      runtime.close();
    }
  }
}
