package dev.llava.trainer.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import dev.llava.proto.v1.CancelJobRequest;
import dev.llava.proto.v1.GetJobRequest;
import dev.llava.proto.v1.Job;
import dev.llava.proto.v1.JobEvent;
import dev.llava.proto.v1.JobSpec;
import dev.llava.proto.v1.JobState;
import dev.llava.proto.v1.ListJobsRequest;
import dev.llava.proto.v1.SubmitJobRequest;
import dev.llava.proto.v1.TrainingGrpc;
import dev.llava.proto.v1.WatchJobRequest;
import dev.llava.trainer.TestData;
import dev.llava.trainer.jobs.JobService;
import dev.llava.testing.KafkaTestResource;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServerTestResource;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Training service over a real gRPC channel on the HTTP port. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(KubernetesServerTestResource.class)
class TrainingGrpcTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Inject JobService jobs;
  ManagedChannel channel;
  TrainingGrpc.TrainingBlockingStub stub;

  @BeforeEach
  void connect() {
    channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
    stub = TrainingGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void submitThenWatchStreamsEveryEventInOrderUntilTheJobEnds() {
    Job job = stub.submitJob(submit(demo()));
    assertEquals(JobState.JOB_STATE_QUEUED, job.getState());
    assertEquals("demo", job.getSpec().getRecipe());
    assertEquals(dev.llava.model.train.Recipes.DEMO_LEARNING_RATE, job.getSpec().getLearningRate(),
        "the recipe's defaults are filled in");

    List<JobEvent> streamed = new ArrayList<>();
    stub.watchJob(WatchJobRequest.newBuilder().setId(job.getId()).build()).forEachRemaining(streamed::add);

    assertEquals(jobs.record(job.getId()).events(), streamed, "replay + live, nothing lost or doubled");
    assertEquals(List.of("STATE_CHANGED", "STATE_CHANGED", "LOG", "PROGRESS", "PROGRESS", "PROGRESS", "PROGRESS",
        "PROGRESS", "CHECKPOINT_PUBLISHED", "STATE_CHANGED"), streamed.stream().map(e -> e.getKind().name()).toList());
    assertEquals(JobState.JOB_STATE_SUCCEEDED, streamed.get(streamed.size() - 1).getState());
    Job done = stub.getJob(GetJobRequest.newBuilder().setId(job.getId()).build());
    assertEquals(5, done.getStep());
    assertEquals(streamed.get(8).getCheckpointDir(), done.getCheckpointDir());
  }

  @Test
  void anInvalidSpecIsInvalidArgumentWithOneViolationPerProblem() throws Exception {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.submitJob(submit(
        JobSpec.newBuilder().setRecipe("demo").setDataPath("../../../etc/passwd").setGpus(12).setMaxSteps(-1))));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().startsWith("invalid job spec (3 problems): "),
        e.getStatus().getDescription());
    BadRequest bad = StatusProto.fromThrowable(e).getDetails(0).unpack(BadRequest.class);
    assertEquals(List.of("spec.gpus", "spec.data_path", "spec.max_steps"),
        bad.getFieldViolationsList().stream().map(BadRequest.FieldViolation::getField).toList());
    assertTrue(bad.getFieldViolations(1).getDescription().contains("escapes the allowed roots"));
  }

  @Test
  void unknownIdsAreNotFoundAndFinishedJobsCannotBeCancelled() throws Exception {
    StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
        () -> stub.getJob(GetJobRequest.newBuilder().setId("job-missing000").build()));
    assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());

    Job job = stub.submitJob(submit(demo()));
    await().atMost(WAIT).until(() -> stub.getJob(GetJobRequest.newBuilder().setId(job.getId()).build())
        .getState() == JobState.JOB_STATE_SUCCEEDED);
    StatusRuntimeException finished = assertThrows(StatusRuntimeException.class,
        () -> stub.cancelJob(CancelJobRequest.newBuilder().setId(job.getId()).build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, finished.getStatus().getCode());
    assertTrue(stub.listJobs(ListJobsRequest.newBuilder().setState(JobState.JOB_STATE_SUCCEEDED).build())
        .getJobsList().stream().anyMatch(j -> j.getId().equals(job.getId())));
  }

  @Test
  void aClientCancellingItsWatchIsDetachedAndKeepsItsConnectionThenCancelStopsTheJob() throws Exception {
    Job job = stub.submitJob(submit(demo().setMaxSteps(100000)));
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<JobEvent> events = context.call(() ->
        stub.watchJob(WatchJobRequest.newBuilder().setId(job.getId()).build()));
    int progress = 0;
    while (progress < 3) {
      if (events.next().getKind() == JobEvent.Kind.PROGRESS) {
        progress++;
      }
    }
    assertEquals(1, jobs.record(job.getId()).watcherCount());
    context.cancel(null);
    StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> events.forEachRemaining(e -> { }));
    assertEquals(Status.Code.CANCELLED, gone.getStatus().getCode());
    await().atMost(WAIT).until(() -> jobs.record(job.getId()).watcherCount() == 0);
    // Nothing more is written to the reset stream, so the client's connection survives for its next calls.
    Thread.sleep(200);
    assertEquals(JobState.JOB_STATE_RUNNING, stub.getJob(GetJobRequest.newBuilder().setId(job.getId()).build())
        .getState());

    Job answer = stub.cancelJob(CancelJobRequest.newBuilder().setId(job.getId()).build());
    assertEquals(JobState.JOB_STATE_RUNNING, answer.getState());
    await().atMost(WAIT).until(() -> stub.getJob(GetJobRequest.newBuilder().setId(job.getId()).build())
        .getState() == JobState.JOB_STATE_CANCELLED);
    List<JobEvent> replay = new ArrayList<>();
    stub.watchJob(WatchJobRequest.newBuilder().setId(job.getId()).build()).forEachRemaining(replay::add);
    assertEquals(JobState.JOB_STATE_CANCELLED, replay.get(replay.size() - 1).getState());
  }

  private static JobSpec.Builder demo() {
    return JobSpec.newBuilder().setRecipe("demo").setDataPath(TestData.trainJson().toString()).setGlobalBatchSize(2).setEpochs(1);
  }

  private static SubmitJobRequest submit(JobSpec.Builder spec) {
    return SubmitJobRequest.newBuilder().setSpec(spec).build();
  }
}
