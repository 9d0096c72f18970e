package dev.llava.orchestrator.kafka;

import dev.llava.orchestrator.config.OrchestratorConfig;
import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.orchestrator.pipeline.ChatListener;
import dev.llava.orchestrator.pipeline.ChatPipeline;
import dev.llava.orchestrator.pipeline.ChatResult;
import dev.llava.proto.v1.ChatRequest;
import io.grpc.Deadline;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs the Kafka chat worker as a managed background thread: started with the application when
 * {@code llava.orchestrator.kafka.pipeline.enabled=true}, stopped gracefully on shutdown (the batch in hand
 * finishes or, past the grace period, is left uncommitted for the next owner to redo).
 */
@ApplicationScoped
public class KafkaChatPipeline {
  private static final Logger LOG = Logger.getLogger(KafkaChatPipeline.class);
  private static final long SHUTDOWN_GRACE_MILLIS = 30_000;

  private final OrchestratorConfig config;
  private final ChatPipeline pipeline;
  private static final long RESTART_BACKOFF_MILLIS = 5_000;
  private volatile ChatRequestWorker worker;
  private volatile boolean stopping;
  private Thread thread;

  @Inject
  public KafkaChatPipeline(OrchestratorConfig config, ChatPipeline pipeline) {
    this.config = config;
    this.pipeline = pipeline;
  }

  /** The pipeline as the worker sees it: one request in, its result (or a ChatException) out. */
  public ChatProcessor processor() {
    return (ChatRequest request, Duration timeout) -> {
      CompletableFuture<ChatResult> result = new CompletableFuture<>();
      ChatPipeline.RunningChat run = pipeline.start(request, "kafka",
          Deadline.after(timeout.toMillis(), TimeUnit.MILLISECONDS), new ChatListener() {
            @Override
            public void onText(String delta) {}

            @Override
            public void onComplete(ChatResult r) {
              result.complete(r);
            }

            @Override
            public void onError(ChatException error) {
              result.completeExceptionally(error);
            }
          });
      result.whenComplete((r, t) -> {
        if (result.isCancelled()) {
          run.cancel();
        }
      });
      return result;
    };
  }

  void onStart(@Observes StartupEvent event) {
    if (!config.kafka().pipeline().enabled()) {
      return;
    }
    WorkerSettings settings = WorkerSettings.from(config.kafka());
    thread = new Thread(() -> supervise(settings), "kafka-chat-pipeline");
    thread.setDaemon(true);
    thread.start();
    LOG.infof("Kafka chat pipeline: %s -> %s (group %s, transactional id %s)", settings.requestsTopic(),
        settings.responsesTopic(), settings.groupId(), settings.transactionalId());
  }

  /** Runs the worker; if it dies (broker unreachable, fatal client error) starts a fresh one after a pause. */
  private void supervise(WorkerSettings settings) {
    while (!stopping) {
      ChatRequestWorker w = new ChatRequestWorker(settings, processor(), ChatRequestWorker.CommitHook.NONE);
      worker = w;
      if (stopping) {
        return;
      }
      w.run();
      if (!stopping) {
        LOG.warnf("Kafka chat worker ended unexpectedly; restarting in %d ms", RESTART_BACKOFF_MILLIS);
        try {
          Thread.sleep(RESTART_BACKOFF_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    if (thread == null) {
      return;
    }
    stopping = true;
    ChatRequestWorker w = worker;
    if (w != null) {
      w.stop();
    }
    try {
      thread.join(SHUTDOWN_GRACE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("Kafka chat pipeline did not stop within the grace period; its uncommitted batch will be redone");
    }
  }
}
