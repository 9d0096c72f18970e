package dev.llava.engine.lm;

import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.GenerateRequest;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;

/**
 * projector-lm without the transport: one loaded checkpoint (projector + language model), its request
 * validation, and its {@link ContinuousBatcher}. The gRPC adapter, the Quarkus service, the orchestrator's
 * in-process tests and the benchmark all drive this class.
 *
 * <p>Errors the caller maps to status codes: {@link IllegalArgumentException} (INVALID_ARGUMENT),
 * {@link UnknownModelException} (NOT_FOUND), {@link RevisionMismatchException} (FAILED_PRECONDITION),
 * {@link dev.llava.engine.vision.OverloadedException} (RESOURCE_EXHAUSTED), {@link IllegalStateException} after
 * shutdown (UNAVAILABLE).
 */
public final class GenerationEngine implements AutoCloseable {
  private final LlavaRuntime runtime;
  private final LmEngineConfig config;
  private final RequestPreparer preparer;
  private final LmMetrics metrics;
  private final ContinuousBatcher batcher;

  /** Takes ownership of {@code runtime} (closed with the engine); it must have the PROJECTOR and TEXT parts. */
  public GenerationEngine(LlavaRuntime runtime, LmEngineConfig config, MeterRegistry registry) {
    this.runtime = runtime;
    this.config = config;
    this.preparer = new RequestPreparer(runtime, config);
    this.metrics = new LmMetrics(registry, config.kvCacheTokenBudget());
    this.batcher = new ContinuousBatcher(runtime, config, metrics, "llava-lm-scheduler");
  }

  /** Loads the projector and language model of the checkpoint in {@code dir} (no vision tower). */
  public static GenerationEngine load(Path dir, LmEngineConfig config, MeterRegistry registry) throws IOException {
    LlavaRuntime runtime = LlavaRuntime.load(dir, EnumSet.of(ModelPart.PROJECTOR, ModelPart.TEXT));
    try {
      return new GenerationEngine(runtime, config, registry);
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
  }

  /** Validates the request and queues it; output goes to {@code listener} on the scheduler thread. */
  public GenerationHandle generate(GenerateRequest request, GenerationListener listener) {
    return generate(request, listener, System.nanoTime());
  }

  /** As {@link #generate(GenerateRequest, GenerationListener)}, timing from {@code startNanos} (nanoTime). */
  public GenerationHandle generate(GenerateRequest request, GenerationListener listener, long startNanos) {
    return generate(request, listener, startNanos, 0);
  }

  /**
   * As {@link #generate(GenerateRequest, GenerationListener, long)}; the scheduler itself cancels the request
   * once {@code System.nanoTime()} passes {@code deadlineNanos} (0: no deadline).
   */
  public GenerationHandle generate(GenerateRequest request, GenerationListener listener, long startNanos,
      long deadlineNanos) {
    return batcher.submit(preparer.prepare(request, startNanos), listener, deadlineNanos);
  }

  /** Exact prompt tokens the request would use (image tokens included), without generating. */
  public CountTokensResponse countTokens(GenerateRequest request) {
    RequestPreparer.Prompt prompt = preparer.prompt(request);
    CountTokensResponse.Builder b = CountTokensResponse.newBuilder().setPromptTokens(prompt.ids().length);
    for (ImageLayout l : prompt.layouts()) {
      b.addImageTokens(l.imageTokens());
    }
    return b.build();
  }

  public String modelName() {
    return config.modelName();
  }

  public String revision() {
    return runtime.revision();
  }

  public LmEngineConfig config() {
    return config;
  }

  public LlavaRuntime runtime() {
    return runtime;
  }

  /** The scheduler, for its counters (running, waiting, KV tokens in use, decode batches). */
  public ContinuousBatcher batcher() {
    return batcher;
  }

  /** Stops the scheduler, then frees the model (left to the JVM if the scheduler is stuck in a step). */
  @Override
  public void close() {
    batcher.close();
    if (batcher.stopped()) {
      runtime.close();
    }
  }
}
