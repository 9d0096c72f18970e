package dev.llava.trainer.jobs;

import dev.llava.proto.v1.JobEvent;

/**
 * Receives one job's events in order: first the past ones, then live ones, then {@link #onEnd()} after the event
 * that finished the job. Called while the job's lock is held, so implementations must not block (a gRPC stream's
 * {@code onNext} only buffers). A watcher that throws is detached.
 */
public interface JobWatcher {
  void onEvent(JobEvent event);

  void onEnd();
}
