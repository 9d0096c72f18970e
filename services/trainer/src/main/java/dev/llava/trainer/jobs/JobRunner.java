package dev.llava.trainer.jobs;

/**
 * Runs jobs somewhere: in this JVM ({@link LocalRunner}) or as Kubernetes Jobs. A runner reports what happens
 * to a job through its {@link JobRecord} (start, progress, checkpoints, finish).
 */
public interface JobRunner extends AutoCloseable {

  /** Null when the runner can take jobs, else why it cannot (shown by readiness and SubmitJob). */
  String unavailableReason();

  /**
   * Sets what the answer to SubmitJob shows that the runner knows before starting the job (the Kubernetes Job's
   * name). SubmitJob answers with the job as admitted: QUEUED, however fast the runner then starts it.
   */
  default void admit(JobRecord job) {}

  /** Takes a validated job in state QUEUED and starts it or queues it. */
  void submit(JobRecord job);

  /**
   * Stops a job {@link JobRecord#cancel()} has just cancelled (was queued) or flagged (is running). The runner
   * finishes a running job as CANCELLED, at once or at its next step.
   */
  void cancel(JobRecord job);

  @Override
  void close();
}
