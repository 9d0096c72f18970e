package dev.llava.trainer.jobs;

import dev.llava.proto.v1.JobEvent;

/**
 * Receives every job's events, in the order they happened, on the event dispatcher's thread (so a slow Kafka
 * never stalls a training step). Kafka publishing and metrics are listeners.
 */
public interface JobEventListener {
  void onEvent(JobEvent event);
}
