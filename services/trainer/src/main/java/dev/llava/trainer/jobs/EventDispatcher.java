package dev.llava.trainer.jobs;

import dev.llava.proto.v1.JobEvent;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hands every job event to the listeners (Kafka, metrics) on one thread, in the order the jobs emitted them. The
 * queue is unbounded: events are small and few (one per optimizer step), and a training step must never wait
 * for Kafka.
 */
public final class EventDispatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(EventDispatcher.class.getName());
  private static final JobEvent STOP = JobEvent.newBuilder().setJobId("\0stop").build();

  private final List<JobEventListener> listeners;
  private final BlockingQueue<JobEvent> queue = new LinkedBlockingQueue<>();
  private final Thread thread;

  public EventDispatcher(List<JobEventListener> listeners) {
    this.listeners = List.copyOf(listeners);
    this.thread = new Thread(this::run, "llava-job-events");
    thread.setDaemon(true);
    thread.start();
  }

  /** Called by jobs while they hold their lock: only enqueues. */
  public void publish(JobEvent event) {
    queue.add(event);
  }

  /** Events not yet handed to the listeners. */
  public int pending() {
    return queue.size();
  }

  private void run() {
    while (true) {
      JobEvent e;
      try {
        e = queue.take();
      } catch (InterruptedException interrupted) {
        return;
      }
      if (e == STOP) {
        return;
      }
      for (JobEventListener l : listeners) {
        try {
          l.onEvent(e);
        } catch (RuntimeException failure) {
          LOG.log(Level.WARNING, "job event listener " + l.getClass().getSimpleName() + " failed on "
              + e.getKind() + " of " + e.getJobId(), failure);
        }
      }
    }
  }

  /** Delivers what is queued (waiting up to 10 s), then stops. */
  @Override
  public void close() {
    queue.add(STOP);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
  }
}
