package dev.llava.trainer.jobs;

import dev.llava.proto.v1.Job;
import dev.llava.proto.v1.JobSpec;
import dev.llava.proto.v1.JobState;
import dev.llava.proto.v1.Runner;
import dev.llava.trainer.jobs.JobServiceException.Reason;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The training job service without transport: submit (validate, bound the queue, hand to a runner), get, list,
 * cancel and watch. gRPC and REST are thin adapters over it; errors are {@link JobServiceException}s whose reason
 * decides the status code.
 */
public final class JobService implements AutoCloseable {

  /** Service-wide settings. */
  public record Options(int maxQueuedJobs, int maxReplayProgressEvents) {}

  private final Options options;
  private final SpecResolver resolver;
  private final JobStore store;
  private final Map<Runner, JobRunner> runners;
  private final EventDispatcher dispatcher;
  private final Clock clock;
  private final AtomicLong sequence = new AtomicLong();
  private final Object submitLock = new Object();

  public JobService(Options options, SpecResolver resolver, JobStore store, Map<Runner, JobRunner> runners,
      EventDispatcher dispatcher, Clock clock) {
    this.options = options;
    this.resolver = resolver;
    this.store = store;
    this.runners = new EnumMap<>(runners);
    this.dispatcher = dispatcher;
    this.clock = clock;
  }

  /**
   * Validates {@code spec}, fills in the recipe's defaults and queues the job on its runner.
   *
   * @throws JobServiceException INVALID_ARGUMENT naming every problem; RESOURCE_EXHAUSTED when max-queued-jobs
   *     jobs are already queued; UNAVAILABLE when the runner cannot take jobs now
   */
  public Job submit(JobSpec spec) {
    synchronized (submitLock) {
      String id = JobIds.next();
      while (store.get(id).isPresent()) {
        id = JobIds.next();
      }
      SpecResolver.Resolution r = resolver.resolve(spec, id);
      List<String> problems = new ArrayList<>(r.problems());
      if (r.valid()) {
        outputInUse(r.resolved().getOutputDir()).ifPresent(problems::add);
      }
      if (!problems.isEmpty()) {
        throw JobServiceException.invalid(problems);
      }
      JobRunner runner = runners.get(r.resolved().getRunner());
      String unavailable = runner.unavailableReason();
      if (unavailable != null) {
        throw new JobServiceException(Reason.UNAVAILABLE,
            "the " + r.resolved().getRunner() + " runner cannot take jobs: " + unavailable);
      }
      long queued = store.count(JobState.JOB_STATE_QUEUED);
      if (queued >= options.maxQueuedJobs()) {
        throw new JobServiceException(Reason.RESOURCE_EXHAUSTED, "the job queue is full: " + queued
            + " jobs queued, at most " + options.maxQueuedJobs() + " (llava.trainer.max-queued-jobs); retry later");
      }
      JobRecord job = new JobRecord(id, sequence.incrementAndGet(), r.resolved(), r.spec(), clock,
          options.maxReplayProgressEvents(), dispatcher::publish);
      store.add(job);
      runner.admit(job);
      Job admitted = job.snapshot();
      try {
        runner.submit(job);
      } catch (RuntimeException e) {
        job.finish(JobState.JOB_STATE_FAILED, "the " + job.runner() + " runner could not start the job: "
            + e.getMessage(), null);
        return job.snapshot();
      }
      return admitted;
    }
  }

  /** @throws JobServiceException NOT_FOUND */
  public Job get(String id) {
    return require(id).snapshot();
  }

  /** Newest first; every job when {@code state} is null or JOB_STATE_UNSPECIFIED. */
  public List<Job> list(JobState state) {
    JobState filter = state == JobState.JOB_STATE_UNSPECIFIED ? null : state;
    return store.list(filter).stream().map(JobRecord::snapshot).toList();
  }

  /**
   * Queued: CANCELLED now. Running: CANCELLED at the runner's next step (the answer still says RUNNING, with the
   * request in its events). Cancelling again while that happens is harmless.
   *
   * @throws JobServiceException NOT_FOUND; FAILED_PRECONDITION for a finished job
   */
  public Job cancel(String id) {
    JobRecord job = require(id);
    JobRecord.CancelOutcome outcome = job.cancel();
    if (outcome == JobRecord.CancelOutcome.ALREADY_FINISHED) {
      Job now = job.snapshot();
      throw new JobServiceException(Reason.FAILED_PRECONDITION, "job " + id + " already finished as "
          + now.getState() + "; only QUEUED or RUNNING jobs can be cancelled");
    }
    runners.get(job.runner()).cancel(job);
    return job.snapshot();
  }

  /**
   * Replays the job's events to {@code watcher}, then the live ones until the job ends. Returns the action
   * that detaches the watcher (a client that goes away).
   *
   * @throws JobServiceException NOT_FOUND
   */
  public Runnable watch(String id, JobWatcher watcher) {
    return require(id).watch(watcher);
  }

  /** The job's record (runners and tests). */
  public JobRecord record(String id) {
    return require(id);
  }

  public JobStore store() {
    return store;
  }

  /** Why each configured runner cannot take jobs; empty when all can. */
  public Map<Runner, String> unavailableRunners() {
    Map<Runner, String> reasons = new EnumMap<>(Runner.class);
    runners.forEach((kind, runner) -> {
      String reason = runner.unavailableReason();
      if (reason != null) {
        reasons.put(kind, reason);
      }
    });
    return reasons;
  }

  private JobRecord require(String id) {
    if (id == null || id.isEmpty()) {
      throw new JobServiceException(Reason.INVALID_ARGUMENT, "id is required (a job id such as job-0123456789)");
    }
    return store.get(id).orElseThrow(() -> new JobServiceException(Reason.NOT_FOUND,
        "no job " + id + " (jobs are kept in memory: a restarted trainer forgets earlier jobs)"));
  }

  private Optional<String> outputInUse(String outputDir) {
    for (JobRecord other : store.list(null)) {
      if (!other.finished() && other.snapshot().getSpec().getOutputDir().equals(outputDir)) {
        return Optional.of("output_dir " + outputDir + " is in use by job " + other.id() + " ("
            + other.state() + "); choose another directory or wait until that job ends");
      }
    }
    return Optional.empty();
  }

  /** Stops the runners (the local one cancels what it runs) and delivers the last events. */
  @Override
  public void close() {
    runners.values().forEach(JobRunner::close);
    dispatcher.close();
  }
}
