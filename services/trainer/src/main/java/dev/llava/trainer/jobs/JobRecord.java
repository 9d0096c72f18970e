package dev.llava.trainer.jobs;

import dev.llava.model.train.TrainingProgress;
import dev.llava.model.train.TrainingSpec;
import dev.llava.proto.v1.Job;
import dev.llava.proto.v1.JobEvent;
import dev.llava.proto.v1.JobSpec;
import dev.llava.proto.v1.JobState;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.Runner;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * One job: its current state (the proto {@link Job}), the events that led there, and who is watching. Every
 * change goes through one lock and produces exactly one {@link JobEvent}, appended for replay, handed to the
 * watchers and to the event dispatcher in the same order. Terminal states (SUCCEEDED, FAILED, CANCELLED) are
 * final: a late report from a runner cannot revive a job.
 */
public final class JobRecord {

  /** What {@link #cancel()} did. */
  public enum CancelOutcome { CANCELLED_WHILE_QUEUED, REQUESTED, ALREADY_FINISHED }

  private final String id;
  private final long sequence;
  private final TrainingSpec spec;
  private final Runner runner;
  private final Clock clock;
  private final int maxReplayProgressEvents;
  private final Consumer<JobEvent> publish;

  private final Job.Builder job;
  private final List<JobEvent> events = new ArrayList<>();
  private final List<JobWatcher> watchers = new ArrayList<>();
  private int progressEvents;
  private volatile boolean cancelRequested;

  JobRecord(String id, long sequence, JobSpec resolved, TrainingSpec spec, Clock clock, int maxReplayProgressEvents,
      Consumer<JobEvent> publish) {
    this.id = id;
    this.sequence = sequence;
    this.spec = spec;
    this.runner = resolved.getRunner();
    this.clock = clock;
    this.maxReplayProgressEvents = maxReplayProgressEvents;
    this.publish = publish;
    long now = clock.millis();
    this.job = Job.newBuilder().setId(id).setSpec(resolved).setState(JobState.JOB_STATE_QUEUED)
        .setCreatedMs(now).setUpdatedMs(now);
    synchronized (this) {
      emit(event(JobEvent.Kind.STATE_CHANGED).setMessage("queued for the " + runner + " runner"));
    }
  }

  public String id() {
    return id;
  }

  /** Submission order; ListJobs shows the highest first. */
  public long sequence() {
    return sequence;
  }

  /** What the runner runs. */
  public TrainingSpec spec() {
    return spec;
  }

  public Runner runner() {
    return runner;
  }

  public synchronized Job snapshot() {
    return job.build();
  }

  public synchronized JobState state() {
    return job.getState();
  }

  public synchronized boolean finished() {
    return isTerminal(job.getState());
  }

  /** True once CancelJob asked a running job to stop; the local runner checks it between steps. */
  public boolean cancelRequested() {
    return cancelRequested;
  }

  /** QUEUED -> RUNNING; false when the job is no longer queued (cancelled meanwhile). */
  public synchronized boolean start(String message) {
    if (job.getState() != JobState.JOB_STATE_QUEUED) {
      return false;
    }
    job.setState(JobState.JOB_STATE_RUNNING);
    emit(event(JobEvent.Kind.STATE_CHANGED).setMessage(message));
    return true;
  }

  public synchronized void progress(TrainingProgress p) {
    if (job.getState() != JobState.JOB_STATE_RUNNING) {
      return;
    }
    job.setStep(p.step()).setTotalSteps(p.totalSteps()).setLoss(p.loss());
    emit(event(JobEvent.Kind.PROGRESS).setStep(p.step()).setTotalSteps(p.totalSteps()).setLoss(p.loss())
        .setLearningRate(p.learningRate()).setSamplesPerSecond(p.samplesPerSecond()));
  }

  /** A complete checkpoint was written and is announced as {@code model}. */
  public synchronized void checkpoint(Path dir, int step, ModelRef model) {
    if (isTerminal(job.getState())) {
      return;
    }
    emit(event(JobEvent.Kind.CHECKPOINT_PUBLISHED).setStep(step).setTotalSteps(job.getTotalSteps())
        .setCheckpointDir(dir.toString()).setModel(model));
  }

  public synchronized void log(String message) {
    emit(event(JobEvent.Kind.LOG).setStep(job.getStep()).setMessage(message));
  }

  public synchronized void kubernetesJob(String name) {
    job.setKubernetesJob(name);
  }

  /**
   * Moves the job to a terminal state (with the final checkpoint when it has one); false when it already was in
   * one, so the first outcome wins.
   */
  public synchronized boolean finish(JobState state, String message, Path checkpointDir) {
    if (!isTerminal(state)) {
      throw new IllegalArgumentException("not a terminal state: " + state);
    }
    if (isTerminal(job.getState())) {
      return false;
    }
    job.setState(state).setMessage(message == null ? "" : message);
    if (checkpointDir != null) {
      job.setCheckpointDir(checkpointDir.toString());
    }
    emit(event(JobEvent.Kind.STATE_CHANGED).setMessage(job.getMessage()).setCheckpointDir(job.getCheckpointDir()));
    for (JobWatcher w : watchers) {
      try {
        w.onEnd();
      } catch (RuntimeException ignored) {
        // the watcher went away; nothing to tell it
      }
    }
    watchers.clear();
    return true;
  }

  /** Queued: cancelled now. Running: flagged, so the runner stops it (at the next step). Finished: no-op. */
  public synchronized CancelOutcome cancel() {
    switch (job.getState()) {
      case JOB_STATE_QUEUED:
        finish(JobState.JOB_STATE_CANCELLED, "cancelled while queued", null);
        return CancelOutcome.CANCELLED_WHILE_QUEUED;
      case JOB_STATE_RUNNING:
        if (!cancelRequested) {
          cancelRequested = true;
          log("cancel requested: the job stops after its current step");
        }
        return CancelOutcome.REQUESTED;
      default:
        return CancelOutcome.ALREADY_FINISHED;
    }
  }

  /**
   * Replays the past events to {@code watcher} and, unless the job has finished (then {@code onEnd} follows the
   * replay), keeps it attached for live ones. Returns the action that detaches it.
   */
  public synchronized Runnable watch(JobWatcher watcher) {
    for (JobEvent e : events) {
      watcher.onEvent(e);
    }
    if (isTerminal(job.getState())) {
      watcher.onEnd();
      return () -> {};
    }
    watchers.add(watcher);
    return () -> detach(watcher);
  }

  public synchronized int watcherCount() {
    return watchers.size();
  }

  /** The events kept for replay, oldest first. */
  public synchronized List<JobEvent> events() {
    return List.copyOf(events);
  }

  private synchronized void detach(JobWatcher watcher) {
    watchers.remove(watcher);
  }

  private JobEvent.Builder event(JobEvent.Kind kind) {
    return JobEvent.newBuilder().setJobId(id).setKind(kind);
  }

  private void emit(JobEvent.Builder builder) {
    long now = clock.millis();
    job.setUpdatedMs(now);
    JobEvent e = builder.setState(job.getState()).setTimeMs(now).build();
    events.add(e);
    if (e.getKind() == JobEvent.Kind.PROGRESS && ++progressEvents > maxReplayProgressEvents) {
      dropOldestProgressEvent();
    }
    for (Iterator<JobWatcher> it = watchers.iterator(); it.hasNext(); ) {
      JobWatcher w = it.next();
      try {
        w.onEvent(e);
      } catch (RuntimeException gone) {
        it.remove();
      }
    }
    publish.accept(e);
  }

  private void dropOldestProgressEvent() {
    for (Iterator<JobEvent> it = events.iterator(); it.hasNext(); ) {
      if (it.next().getKind() == JobEvent.Kind.PROGRESS) {
        it.remove();
        progressEvents--;
        return;
      }
    }
  }

  public static boolean isTerminal(JobState state) {
    return state == JobState.JOB_STATE_SUCCEEDED || state == JobState.JOB_STATE_FAILED
        || state == JobState.JOB_STATE_CANCELLED;
  }
}
