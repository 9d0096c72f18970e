package dev.llava.trainer.kubernetes;

import dev.llava.proto.v1.JobState;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import java.util.List;

/**
 * Reads a training job's state from its Kubernetes Job's status. With backoffLimit 0 a Job has one pod: Complete
 * (or succeeded > 0) is SUCCEEDED, Failed (or failed > 0) is FAILED with the condition's reason, a ready pod (or an
 * active one on clusters without the {@code ready} count) is RUNNING, anything else is still QUEUED (the pod waits
 * for a node or pulls its image).
 */
public final class JobStatusMapping {

  /** A state and, for FAILED, why. */
  public record Observed(JobState state, String message) {}

  private JobStatusMapping() {}

  public static Observed observe(Job job) {
    String name = job.getMetadata().getName();
    JobStatus s = job.getStatus();
    if (s == null) {
      return new Observed(JobState.JOB_STATE_QUEUED, "");
    }
    List<JobCondition> conditions = s.getConditions() == null ? List.of() : s.getConditions();
    for (JobCondition c : conditions) {
      if ("Failed".equals(c.getType()) && "True".equals(c.getStatus())) {
        return new Observed(JobState.JOB_STATE_FAILED, "Kubernetes Job " + name + " failed: "
            + (c.getReason() == null ? "" : c.getReason() + ": ") + (c.getMessage() == null ? "" : c.getMessage()));
      }
      if ("Complete".equals(c.getType()) && "True".equals(c.getStatus())) {
        return new Observed(JobState.JOB_STATE_SUCCEEDED, "Kubernetes Job " + name + " completed");
      }
    }
    if (positive(s.getSucceeded())) {
      return new Observed(JobState.JOB_STATE_SUCCEEDED, "Kubernetes Job " + name + " completed");
    }
    if (positive(s.getFailed())) {
      return new Observed(JobState.JOB_STATE_FAILED, "Kubernetes Job " + name + " failed: its pod failed");
    }
    boolean running = s.getReady() != null ? positive(s.getReady()) : positive(s.getActive());
    if (running) {
      return new Observed(JobState.JOB_STATE_RUNNING, "the pod of Kubernetes Job " + name + " is running");
    }
    return new Observed(JobState.JOB_STATE_QUEUED, "");
  }

  private static boolean positive(Integer n) {
    return n != null && n > 0;
  }
}
