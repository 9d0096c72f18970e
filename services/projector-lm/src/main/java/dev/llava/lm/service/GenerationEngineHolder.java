package dev.llava.lm.service;

import dev.llava.engine.lm.GenerationEngine;
import dev.llava.engine.lm.GeneratorGrpcAdapter;
import dev.llava.engine.lm.LmEngineConfig;
import dev.llava.lm.config.ProjectorLmConfig;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Owns the generation engine of {@code llava.lm.model-dir}. The checkpoint loads on its own thread after start-up,
 * so the HTTP port (liveness, metrics) answers at once while a multi-GB model loads; readiness and the gRPC
 * service follow {@link #state()}.
 */
@ApplicationScoped
public class GenerationEngineHolder {
  private static final Logger LOG = Logger.getLogger(GenerationEngineHolder.class);

  /** Where the model is in its life. */
  public enum State { NOT_CONFIGURED, LOADING, READY, FAILED }

  private final ProjectorLmConfig config;
  private final MeterRegistry registry;
  private volatile State state = State.LOADING;
  private volatile String message = "starting";
  private volatile GeneratorGrpcAdapter adapter;

  public GenerationEngineHolder(ProjectorLmConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  void onStart(@Observes StartupEvent event) {
    String dir = config.modelDir().map(String::trim).orElse("");
    if (dir.isEmpty()) {
      set(State.NOT_CONFIGURED, "no model is configured: set llava.lm.model-dir (env LLAVA_MODEL_DIR) to a "
          + "Hugging Face LLaVA checkpoint directory");
      LOG.warn(message);
      return;
    }
    set(State.LOADING, "loading model '" + config.modelName() + "' from " + dir);
    Thread loader = new Thread(() -> load(Path.of(dir)), "llava-lm-model-loader");
    loader.setDaemon(true);
    loader.start();
  }

  private void load(Path dir) {
    long t0 = System.nanoTime();
    try {
      GenerationEngine engine = GenerationEngine.load(dir, engineConfig(config), registry);
      adapter = new GeneratorGrpcAdapter(engine, config.stalledStreamTimeout());
      set(State.READY, "serving '" + engine.modelName() + "' revision " + engine.revision() + " from " + dir);
      LOG.infof("%s (loaded in %.1f s)", message, (System.nanoTime() - t0) / 1e9);
    } catch (Exception | Error e) {
      set(State.FAILED, "model '" + config.modelName() + "' failed to load from " + dir + ": " + e.getMessage());
      LOG.error(message, e);
    }
  }

  /** {@code llava.lm.*} as the engine's configuration. */
  static LmEngineConfig engineConfig(ProjectorLmConfig c) {
    ProjectorLmConfig.Scheduler s = c.scheduler();
    return new LmEngineConfig(c.modelName(), c.defaultTemplate(), s.maxRunningSequences(), s.kvCacheTokenBudget(),
        s.maxWaitingSequences(), s.prefillChunkTokens(), s.defaultMaxNewTokens(), s.maxNewTokensLimit());
  }

  private void set(State s, String m) {
    message = m;
    state = s;
  }

  public State state() {
    return state;
  }

  /** What the state means, for readiness and error messages. */
  public String message() {
    return message;
  }

  /** The gRPC adapter once the model is loaded, else null. */
  public GeneratorGrpcAdapter adapter() {
    return adapter;
  }

  /** The status a call gets while no model is ready: nothing configured or a failed load is permanent. */
  public Status unavailableStatus() {
    return switch (state) {
      case NOT_CONFIGURED, FAILED -> Status.FAILED_PRECONDITION.withDescription(message);
      default -> Status.UNAVAILABLE.withDescription(message + "; retry when /q/health/ready is UP");
    };
  }

  void onStop(@Observes ShutdownEvent event) {
    GeneratorGrpcAdapter a = adapter;
    adapter = null;
    if (a != null) {
      a.engine().close();
    }
  }
}
