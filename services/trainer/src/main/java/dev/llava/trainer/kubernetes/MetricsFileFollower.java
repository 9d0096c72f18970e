package dev.llava.trainer.kubernetes;

import dev.llava.model.train.TrainingProgress;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows the {@code metrics.jsonl} of running Kubernetes jobs: every {@code interval} it reads the lines their
 * pods appended ({@link MetricsFileTail}) and hands each step ({@link MetricsLine}) to the job, as the local
 * runner's trainer does after each optimizer step. One scheduler thread serves all jobs (a read is a stat and a
 * few hundred bytes). A line that is not a metrics object is logged and skipped.
 *
 * <p>A job is {@linkplain #expect expected} when it is submitted (so a log an earlier run left in its output_dir
 * is not taken for its progress), {@linkplain #follow followed} once its pod runs, and {@linkplain #stop stopped}
 * when it ends, after a last read when its final steps matter.
 */
public final class MetricsFileFollower implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MetricsFileFollower.class.getName());

  private final long intervalMillis;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Map<String, Followed> jobs = new ConcurrentHashMap<>();

  public MetricsFileFollower(Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the metrics poll interval must be positive, got " + interval);
    }
    this.intervalMillis = interval.toMillis() == 0 ? 1 : interval.toMillis();
    this.scheduler = new ScheduledThreadPoolExecutor(1, task -> {
      Thread t = new Thread(task, "llava-k8s-metrics");
      t.setDaemon(true);
      return t;
    });
    // A stopped job's schedule leaves the queue at once instead of waiting for its next tick.
    scheduler.setRemoveOnCancelPolicy(true);
  }

  /**
   * Notes the job's metrics file before its pod can start; {@code onStep} receives its steps once it is followed.
   * A file already there counts only once it changes (a training run starts its log afresh).
   */
  public void expect(String jobId, Path file, Consumer<TrainingProgress> onStep) {
    MetricsFileTail tail;
    try {
      tail = MetricsFileTail.ignoringWhatIsThereNow(file);
    } catch (IOException e) {
      LOG.warning("progress of job " + jobId + " is not followed: cannot read " + file + ": " + e);
      return;
    }
    jobs.put(jobId, new Followed(jobId, tail, onStep));
  }

  /** Starts reading the expected job's file now and every interval; again, or for a job not expected: nothing. */
  public void follow(String jobId) {
    Followed f = jobs.get(jobId);
    if (f != null) {
      f.schedule();
    }
  }

  /** Stops following the job; with {@code readLast}, first reports what was appended since the last read. */
  public void stop(String jobId, boolean readLast) {
    Followed f = jobs.remove(jobId);
    if (f != null) {
      f.stop(readLast);
    }
  }

  @Override
  public void close() {
    jobs.clear();
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One job's tail; reads hold its lock, so the last read comes after (never during) a scheduled one. */
  private final class Followed {
    private final String jobId;
    private final MetricsFileTail tail;
    private final Consumer<TrainingProgress> onStep;
    private ScheduledFuture<?> schedule;
    private boolean stopped;
    /** The last read failure logged, so a broken volume is reported once, not every interval. */
    private String lastProblem;

    Followed(String jobId, MetricsFileTail tail, Consumer<TrainingProgress> onStep) {
      this.jobId = jobId;
      this.tail = tail;
      this.onStep = onStep;
    }

    synchronized void schedule() {
      if (schedule != null || stopped) {
        return;
      }
      try {
        schedule = scheduler.scheduleWithFixedDelay(this::readScheduled, 0, intervalMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        stopped = true;
      }
    }

    synchronized void stop(boolean readLast) {
      if (stopped) {
        return;
      }
      stopped = true;
      if (schedule != null) {
        schedule.cancel(false);
      }
      if (readLast) {
        read();
      }
    }

    private synchronized void readScheduled() {
      if (!stopped) {
        read();
      }
    }

    /** Reports every whole line there is; never throws, as an exception would end the schedule silently. */
    private void read() {
      try {
        for (List<String> lines = tail.readNewLines(); !lines.isEmpty(); lines = tail.readNewLines()) {
          lines.forEach(this::report);
        }
        lastProblem = null;
      } catch (IOException | RuntimeException e) {
        String problem = e.toString();
        if (!problem.equals(lastProblem) && !scheduler.isShutdown()) {
          LOG.log(Level.WARNING, "could not read " + tail.file() + " (progress of job " + jobId + ")", e);
        }
        lastProblem = problem;
      }
    }

    private void report(String line) {
      if (line.isBlank()) {
        return;
      }
      TrainingProgress step;
      try {
        step = MetricsLine.parse(line);
      } catch (IllegalArgumentException bad) {
        LOG.warning("skipped a line of " + tail.file() + " (job " + jobId + "): " + bad.getMessage() + ": "
            + abbreviate(line));
        return;
      }
      try {
        onStep.accept(step);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "job " + jobId + " did not take step " + step.step(), e);
      }
    }
  }

  private static String abbreviate(String line) {
    return line.length() <= 200 ? line : line.substring(0, 200) + "…";
  }
}
