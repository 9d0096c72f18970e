package dev.llava.orchestrator.pipeline;

import dev.llava.orchestrator.images.ImageResolver;
import dev.llava.orchestrator.kafka.UsagePublisher;
import dev.llava.orchestrator.limits.RequestValidator;
import dev.llava.orchestrator.metrics.OrchestratorMetrics;
import dev.llava.orchestrator.routing.BackendClient;
import dev.llava.orchestrator.routing.GenerateListener;
import dev.llava.proto.v1.ChatRequest;
import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.GenerateResponse;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.StageTimings;
import dev.llava.proto.v1.Usage;
import io.grpc.Deadline;
import io.grpc.Status;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The request path shared by gRPC, REST and Kafka: validate, resolve the model, resolve and encode every
 * image in parallel, optionally count prompt tokens against the limit, then stream projector-lm's Generate
 * to the listener and finish with usage and stage timings.
 */
@ApplicationScoped
public class ChatPipeline {
  private final RequestValidator validator;
  private final ModelCatalog models;
  private final ImageResolver resolver;
  private final BackendClient backends;
  private final OrchestratorMetrics metrics;
  private final UsagePublisher usage;
  private final ExecutorService executor;

  @Inject
  public ChatPipeline(RequestValidator validator, ModelCatalog models, ImageResolver resolver,
      BackendClient backends, OrchestratorMetrics metrics, UsagePublisher usage) {
    this.validator = validator;
    this.models = models;
    this.resolver = resolver;
    this.backends = backends;
    this.metrics = metrics;
    this.usage = usage;
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "chat-images-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** A request id for requests that bring none. */
  public static String newRequestId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /**
   * Starts a chat. {@code api} labels metrics (grpc, rest, kafka); Kafka publishes usage in its own
   * transaction, the others here. {@code deadline} is the caller's (null: only per-call deadlines).
   */
  public RunningChat start(ChatRequest request, String api, Deadline deadline, ChatListener listener) {
    String requestId = request.getRequestId().isEmpty() ? newRequestId() : request.getRequestId();
    RunningChat run = new RunningChat(requestId, api, deadline, listener);
    metrics.started();
    try {
      validator.validate(request);
      run.model = models.resolve(request.getModel());
    } catch (ChatException e) {
      run.fail(e);
      return run;
    }
    run.images.run(request, run.model, deadline).whenComplete((encoded, error) -> {
      try {
        if (error != null) {
          throw ChatException.from(error);
        }
        run.encoded = encoded;
        GenerateRequest generate = GenerateRequests.build(request, requestId, run.model, encoded);
        if (!validator.countsPromptTokens()) {
          run.generate(generate);
          return;
        }
        backends.countTokens(generate, deadline).whenComplete((count, countError) -> {
          try {
            if (countError != null) {
              throw ChatException.from(countError);
            }
            validator.validatePromptTokens(count.getPromptTokens());
            run.generate(generate);
          } catch (RuntimeException e) {
            run.fail(ChatException.from(e));
          }
        });
      } catch (RuntimeException e) { // never leave a caller waiting on a callback that threw
        run.fail(ChatException.from(e));
      }
    });
    return run;
  }

  /**
   * Pre-flight token count. Image token counts depend on each image's AnyRes layout, which only the vision
   * encoder computes, so images are encoded first (the encoder caches their features, so a following
   * Complete does not pay for them twice), then Generator.CountTokens counts the rendered prompt.
   */
  public CompletableFuture<CountTokensResponse> countTokens(ChatRequest request, String api, Deadline deadline) {
    long t0 = System.nanoTime();
    metrics.started();
    CompletableFuture<CountTokensResponse> result = new CompletableFuture<>();
    try {
      validator.validate(request);
      ModelRef model = models.resolve(request.getModel());
      String requestId = request.getRequestId().isEmpty() ? newRequestId() : request.getRequestId();
      new ImagePhase(resolver, backends, executor).run(request, model, deadline)
          .thenCompose(encoded -> backends.countTokens(
              GenerateRequests.build(request, requestId, model, encoded), deadline))
          .whenComplete((count, error) -> {
            if (error != null) {
              ChatException e = ChatException.from(error);
              metrics.finished(api, e.code(), System.nanoTime() - t0);
              result.completeExceptionally(e);
            } else {
              metrics.finished(api, Status.Code.OK, System.nanoTime() - t0);
              result.complete(count);
            }
          });
    } catch (ChatException e) {
      metrics.finished(api, e.code(), System.nanoTime() - t0);
      result.completeExceptionally(e);
    }
    return result;
  }

  /** One chat in flight; {@link #cancel} stops its image calls or its Generate stream. */
  public final class RunningChat {
    private final String requestId;
    private final String api;
    private final Deadline deadline;
    private final ChatListener listener;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final ImagePhase images = new ImagePhase(resolver, backends, executor);
    private final StringBuilder text = new StringBuilder();
    private volatile ModelRef model = ModelRef.getDefaultInstance();
    private volatile EncodedImages encoded = EncodedImages.NONE;
    private volatile BackendClient.GenerateCall generateCall;
    private volatile boolean cancelled;
    private long firstTokenNanos;
    private GenerateResponse last;

    private RunningChat(String requestId, String api, Deadline deadline, ChatListener listener) {
      this.requestId = requestId;
      this.api = api;
      this.deadline = deadline;
      this.listener = listener;
    }

    public String requestId() {
      return requestId;
    }

    /** The resolved model (set once validation passed). */
    public ModelRef model() {
      return model;
    }

    public boolean isFinished() {
      return finished.get();
    }

    /** The client went away: stop everything downstream. */
    public void cancel() {
      cancelled = true;
      images.cancel();
      BackendClient.GenerateCall call = generateCall;
      if (call != null) {
        call.cancel("client cancelled");
      }
      fail(new ChatException(Status.Code.CANCELLED, "request cancelled by the client"));
    }

    private void generate(GenerateRequest request) {
      if (cancelled) {
        return;
      }
      generateCall = backends.generate(request, deadline, new GenerateListener() {
        @Override
        public void onChunk(GenerateResponse chunk) {
          if (finished.get()) {
            return;
          }
          if (!chunk.getText().isEmpty()) {
            if (firstTokenNanos == 0) {
              firstTokenNanos = System.nanoTime();
            }
            text.append(chunk.getText());
            listener.onText(chunk.getText());
          }
          if (chunk.hasUsage() || chunk.hasTimings()
              || chunk.getFinishReason() != dev.llava.proto.v1.FinishReason.FINISH_REASON_UNSPECIFIED) {
            last = chunk;
          }
        }

        @Override
        public void onCompleted() {
          complete();
        }

        @Override
        public void onError(ChatException error) {
          fail(error);
        }
      });
      if (cancelled) {
        generateCall.cancel("client cancelled");
      }
    }

    private void complete() {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      GenerateResponse fin = last != null ? last : GenerateResponse.getDefaultInstance();
      StageTimings lm = fin.getTimings();
      long now = System.nanoTime();
      StageTimings timings = StageTimings.newBuilder()
          .setImageDecodeMs(encoded.fetchMs() + encoded.decodeMs())
          .setPreprocessMs(encoded.preprocessMs())
          .setEncodeMs(encoded.encodeMs())
          .setQueueMs(lm.getQueueMs())
          .setProjectMs(lm.getProjectMs())
          .setPrefillMs(lm.getPrefillMs())
          .setFirstTokenMs(firstTokenNanos == 0 ? 0 : (firstTokenNanos - startNanos) / 1e6)
          .setDecodeMs(lm.getDecodeMs())
          .setTotalMs((now - startNanos) / 1e6)
          .build();
      Usage u = fin.getUsage();
      if (u.getTotalTokens() == 0 && (u.getPromptTokens() > 0 || u.getCompletionTokens() > 0)) {
        u = u.toBuilder().setTotalTokens(u.getPromptTokens() + u.getCompletionTokens()).build();
      }
      metrics.stage("image_fetch", encoded.fetchMs());
      metrics.stage("encode", encoded.encodeWallMs());
      metrics.stage("queue", lm.getQueueMs());
      metrics.stage("prefill", lm.getPrefillMs());
      metrics.stage("first_token", timings.getFirstTokenMs());
      metrics.stage("decode", lm.getDecodeMs());
      metrics.finished(api, Status.Code.OK, now - startNanos);
      if (!"kafka".equals(api)) {
        usage.publishQuietly(requestId, u);
      }
      listener.onComplete(new ChatResult(requestId, model, text.toString(), fin.getFinishReason(), u, timings));
    }

    private void fail(ChatException error) {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      images.cancel();
      metrics.finished(api, error.code(), System.nanoTime() - startNanos);
      listener.onError(error);
    }
  }

  @PreDestroy
  void close() {
    executor.shutdownNow();
  }
}
