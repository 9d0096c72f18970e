package dev.llava.trainer.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llava.proto.v1.JobState;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import org.junit.jupiter.api.Test;

class JobStatusMappingTest {

  private static JobStatusMapping.Observed observe(JobStatus status) {
    Job job = new JobBuilder().withNewMetadata().withName("llava-train-j").endMetadata().withStatus(status).build();
    return JobStatusMapping.observe(job);
  }

  @Test
  void aPendingPodIsStillQueued() {
    assertEquals(JobState.JOB_STATE_QUEUED, observe(null).state());
    assertEquals(JobState.JOB_STATE_QUEUED, observe(new JobStatusBuilder().withActive(1).withReady(0).build()).state(),
        "active but not ready: the pod waits for a node or its image");
  }

  @Test
  void aReadyPodIsRunningAndActiveCountsWhereReadyIsUnknown() {
    assertEquals(JobState.JOB_STATE_RUNNING, observe(new JobStatusBuilder().withActive(1).withReady(1).build()).state());
    assertEquals(JobState.JOB_STATE_RUNNING, observe(new JobStatusBuilder().withActive(1).build()).state());
  }

  @Test
  void conditionsDecideTheEnd() {
    assertEquals(new JobStatusMapping.Observed(JobState.JOB_STATE_SUCCEEDED, "Kubernetes Job llava-train-j completed"),
        observe(new JobStatusBuilder().withConditions(new JobConditionBuilder().withType("Complete")
            .withStatus("True").build()).build()));
    assertEquals(new JobStatusMapping.Observed(JobState.JOB_STATE_FAILED,
        "Kubernetes Job llava-train-j failed: DeadlineExceeded: Job was active longer than specified deadline"),
        observe(new JobStatusBuilder().withActive(1).withConditions(new JobConditionBuilder().withType("Failed")
            .withStatus("True").withReason("DeadlineExceeded")
            .withMessage("Job was active longer than specified deadline").build()).build()));
    assertEquals(JobState.JOB_STATE_FAILED, observe(new JobStatusBuilder().withFailed(1).build()).state());
    assertEquals(JobState.JOB_STATE_SUCCEEDED, observe(new JobStatusBuilder().withSucceeded(1).build()).state());
  }
}
