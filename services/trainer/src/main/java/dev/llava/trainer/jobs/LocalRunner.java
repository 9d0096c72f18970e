package dev.llava.trainer.jobs;

import dev.llava.model.runtime.ModelRevision;
import dev.llava.model.train.TrainingListener;
import dev.llava.model.train.TrainingProgress;
import dev.llava.model.train.TrainingResult;
import dev.llava.model.train.TrainingRunner;
import dev.llava.proto.v1.JobState;
import dev.llava.proto.v1.ModelRef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs jobs in this JVM, one at a time (a model in training owns the device): a FIFO queue and one worker
 * thread calling {@link TrainingRunner#run}. Cancellation is cooperative: the runner checks the flag between
 * optimizer steps.
 */
public final class LocalRunner implements JobRunner {
  private static final Logger LOG = Logger.getLogger(LocalRunner.class.getName());

  private final TrainingRunner trainer;
  private final String unavailableReason;
  private final BlockingQueue<JobRecord> queue = new LinkedBlockingQueue<>();
  private final Thread worker;
  private volatile boolean closed;

  /**
   * @param trainer what trains; null when unavailable
   * @param unavailableReason why there is no trainer (null when there is)
   */
  public LocalRunner(TrainingRunner trainer, String unavailableReason) {
    this.trainer = trainer;
    this.unavailableReason = trainer == null && unavailableReason == null ? "no TrainingRunner" : unavailableReason;
    this.worker = new Thread(this::work, "llava-local-trainer");
    worker.setDaemon(true);
    worker.start();
  }

  @Override
  public String unavailableReason() {
    return closed ? "the local runner is shutting down" : unavailableReason;
  }

  @Override
  public void submit(JobRecord job) {
    queue.add(job);
  }

  @Override
  public void cancel(JobRecord job) {
    // A cancelled queued job leaves the queue now; a running one sees its flag at the next step.
    queue.remove(job);
  }

  /** Jobs waiting for the worker. */
  public int queued() {
    return queue.size();
  }

  private void work() {
    while (!closed) {
      JobRecord job;
      try {
        job = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (job != null && job.start("running in the trainer's JVM")) {
        execute(job);
      }
    }
  }

  private void execute(JobRecord job) {
    CheckpointAnnouncer announcer = new CheckpointAnnouncer(job);
    try {
      TrainingResult r = trainer.run(job.spec(), announcer, () -> job.cancelRequested() || closed);
      if (r.cancelled()) {
        String why = job.cancelRequested() ? "cancelled" : "the trainer shut down";
        job.finish(JobState.JOB_STATE_CANCELLED, why + " after step " + r.steps(), r.checkpointDir());
        return;
      }
      if (r.checkpointDir() != null) {
        announcer.onCheckpoint(r.checkpointDir(), r.steps());
      }
      job.finish(JobState.JOB_STATE_SUCCEEDED,
          String.format("trained %d steps, final loss %.4f", r.steps(), r.finalLoss()), r.checkpointDir());
    } catch (Exception | Error e) {
      String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
      if (job.cancelRequested()) {
        job.finish(JobState.JOB_STATE_CANCELLED, "cancelled (the run ended with: " + message + ")", null);
      } else {
        LOG.log(Level.WARNING, "job " + job.id() + " failed", e);
        job.finish(JobState.JOB_STATE_FAILED, message, null);
      }
    }
  }

  /** Turns the trainer's callbacks into job events; announces each checkpoint directory once. */
  private static final class CheckpointAnnouncer implements TrainingListener {
    private final JobRecord job;
    private final Set<Path> announced = new HashSet<>();

    CheckpointAnnouncer(JobRecord job) {
      this.job = job;
    }

    @Override
    public void onStep(TrainingProgress progress) {
      job.progress(progress);
    }

    @Override
    public void onCheckpoint(Path dir, int step) {
      Path normal = dir.toAbsolutePath().normalize();
      if (!announced.add(normal)) {
        return;
      }
      String revision = "";
      try {
        revision = ModelRevision.of(normal);
      } catch (IOException e) {
        job.log("could not compute the revision of checkpoint " + normal + ": " + e.getMessage());
      }
      String name = job.snapshot().getSpec().getModelName();
      job.checkpoint(normal, step, ModelRef.newBuilder().setName(name).setRevision(revision).build());
    }

    @Override
    public void onLog(String message) {
      job.log(message);
    }
  }

  /** Stops taking jobs, asks the running one to stop (waiting up to 30 s) and cancels the queued ones. */
  @Override
  public void close() {
    closed = true;
    try {
      worker.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (JobRecord job; (job = queue.poll()) != null; ) {
      job.finish(JobState.JOB_STATE_CANCELLED, "the trainer shut down before the job started", null);
    }
  }
}
