package dev.llava.trainer.jobs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.proto.v1.Job;
import dev.llava.proto.v1.JobEvent;
import dev.llava.proto.v1.JobEvent.Kind;
import dev.llava.proto.v1.JobState;
import dev.llava.trainer.jobs.JobServiceException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobServiceTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path tmp;
  JobsFixture jobs;

  @BeforeEach
  void start() {
    jobs = new JobsFixture(tmp, 10, 2);
  }

  @AfterEach
  void stop() {
    jobs.close();
  }

  @Test
  void aJobGoesQueuedRunningSucceededWithItsEventsInOrder() throws Exception {
    Job submitted = jobs.service.submit(jobs.demoSpec().build());
    assertEquals(JobState.JOB_STATE_QUEUED, submitted.getState());
    assertTrue(submitted.getId().matches("job-[0-9a-z]{10}"), submitted.getId());
    Path output = jobs.workDir.toRealPath().resolve(submitted.getId());
    assertEquals(output.toString(), submitted.getSpec().getOutputDir(), "output_dir defaults to <work-dir>/<id>");

    Job done = awaitState(submitted.getId(), JobState.JOB_STATE_SUCCEEDED);
    assertEquals(5, done.getStep());
    assertEquals(5, done.getTotalSteps());
    assertEquals(4 * Math.exp(-0.5), done.getLoss(), 1e-12);
    assertEquals(output.toString(), done.getCheckpointDir());
    assertTrue(Files.isRegularFile(output.resolve("model.safetensors")));
    assertEquals("trained 5 steps, final loss 2.4261", done.getMessage());

    List<JobEvent> events = jobs.service.record(done.getId()).events();
    assertEquals(List.of("STATE_CHANGED JOB_STATE_QUEUED", "STATE_CHANGED JOB_STATE_RUNNING", "LOG JOB_STATE_RUNNING",
        "PROGRESS 1", "PROGRESS 2", "PROGRESS 3", "PROGRESS 4", "PROGRESS 5",
        "CHECKPOINT_PUBLISHED JOB_STATE_RUNNING", "STATE_CHANGED JOB_STATE_SUCCEEDED"), describe(events));
    JobEvent checkpoint = events.get(8);
    assertEquals("tiny-demo", checkpoint.getModel().getName());
    assertTrue(checkpoint.getModel().getRevision().matches("[0-9a-f]{16}"), checkpoint.getModel().getRevision());
    assertEquals(output.toString(), checkpoint.getCheckpointDir());
    JobEvent step1 = events.get(3);
    assertEquals(5, step1.getTotalSteps());
    assertEquals(dev.llava.model.train.Recipes.DEMO_LEARNING_RATE, step1.getLearningRate(), 1e-12,
        "a warmup of ceil(0.05 * 5) = 1 step reaches the peak");
    assertEquals(200.0, step1.getSamplesPerSecond(), 1e-9, "2 sequences per 10 ms step");
    for (int i = 1; i < events.size(); i++) {
      assertTrue(events.get(i).getTimeMs() >= events.get(i - 1).getTimeMs());
    }
    await().atMost(WAIT).until(() -> jobs.delivered.size() == events.size());
    assertEquals(events, jobs.delivered, "listeners get the same events in the same order");
  }

  @Test
  void aFailingRunEndsFailedWithTheTrainersMessage() throws Exception {
    Path broken = Files.writeString(jobs.dataRoot.resolve("broken.json"), "{\"not\": \"a list\"}");
    Job job = jobs.service.submit(jobs.demoSpec().setDataPath(broken.toString()).build());
    Job failed = awaitState(job.getId(), JobState.JOB_STATE_FAILED);
    assertEquals("data_path " + broken.toRealPath() + ": expected a JSON array of LLaVA conversations, found OBJECT",
        failed.getMessage());
    assertEquals(failed.getMessage(), last(jobs.service.record(job.getId()).events()).getMessage());
  }

  @Test
  void theQueueBoundAnswersResourceExhausted() {
    Job running = jobs.service.submit(jobs.demoSpec().setMaxSteps(100000).setOutputDir("a").build());
    awaitState(running.getId(), JobState.JOB_STATE_RUNNING);
    jobs.service.submit(jobs.demoSpec().setOutputDir("b").build());
    jobs.service.submit(jobs.demoSpec().setOutputDir("c").build());
    JobServiceException e = assertThrows(JobServiceException.class,
        () -> jobs.service.submit(jobs.demoSpec().setOutputDir("d").build()));
    assertEquals(Reason.RESOURCE_EXHAUSTED, e.reason());
    assertEquals("the job queue is full: 2 jobs queued, at most 2 (llava.trainer.max-queued-jobs); retry later",
        e.getMessage());
  }

  @Test
  void aQueuedJobIsCancelledAtOnceAndNeverRuns() {
    Job running = jobs.service.submit(jobs.demoSpec().setMaxSteps(100000).setOutputDir("a").build());
    awaitState(running.getId(), JobState.JOB_STATE_RUNNING);
    Job queued = jobs.service.submit(jobs.demoSpec().setOutputDir("b").build());

    Job cancelled = jobs.service.cancel(queued.getId());
    assertEquals(JobState.JOB_STATE_CANCELLED, cancelled.getState());
    assertEquals("cancelled while queued", cancelled.getMessage());

    jobs.service.cancel(running.getId());
    awaitState(running.getId(), JobState.JOB_STATE_CANCELLED);
    assertEquals(List.of("STATE_CHANGED JOB_STATE_QUEUED", "STATE_CHANGED JOB_STATE_CANCELLED"),
        describe(jobs.service.record(queued.getId()).events()), "it never ran");
    assertFalse(Files.exists(jobs.workDir.resolve("b")));
  }

  @Test
  void aRunningJobStopsAtItsNextStep() {
    Job job = jobs.service.submit(jobs.demoSpec().setMaxSteps(100000).build());
    await().atMost(WAIT).until(() -> jobs.service.get(job.getId()).getStep() >= 2);

    Job answer = jobs.service.cancel(job.getId());
    assertEquals(JobState.JOB_STATE_RUNNING, answer.getState(), "cancel of a running job is cooperative");
    Job cancelled = awaitState(job.getId(), JobState.JOB_STATE_CANCELLED);
    assertTrue(cancelled.getMessage().matches("cancelled after step \\d+"), cancelled.getMessage());
    assertTrue(cancelled.getStep() < 100000);
    List<String> kinds = describe(jobs.service.record(job.getId()).events());
    assertTrue(kinds.contains("LOG JOB_STATE_RUNNING"));
    assertFalse(kinds.contains("CHECKPOINT_PUBLISHED JOB_STATE_RUNNING"), "a cancelled run publishes nothing");
    assertEquals("STATE_CHANGED JOB_STATE_CANCELLED", kinds.get(kinds.size() - 1));
  }

  @Test
  void cancellingAFinishedJobIsAFailedPrecondition() {
    Job job = jobs.service.submit(jobs.demoSpec().build());
    awaitState(job.getId(), JobState.JOB_STATE_SUCCEEDED);
    JobServiceException e = assertThrows(JobServiceException.class, () -> jobs.service.cancel(job.getId()));
    assertEquals(Reason.FAILED_PRECONDITION, e.reason());
    assertEquals("job " + job.getId() + " already finished as JOB_STATE_SUCCEEDED; only QUEUED or RUNNING jobs can"
        + " be cancelled", e.getMessage());
  }

  @Test
  void unknownJobsAreNotFound() {
    JobServiceException e = assertThrows(JobServiceException.class, () -> jobs.service.get("job-nope"));
    assertEquals(Reason.NOT_FOUND, e.reason());
    assertTrue(e.getMessage().startsWith("no job job-nope"), e.getMessage());
    assertEquals(Reason.NOT_FOUND, assertThrows(JobServiceException.class,
        () -> jobs.service.cancel("job-nope")).reason());
    assertEquals(Reason.INVALID_ARGUMENT, assertThrows(JobServiceException.class,
        () -> jobs.service.get("")).reason());
  }

  @Test
  void listShowsNewestFirstAndFiltersByState() {
    Job first = jobs.service.submit(jobs.demoSpec().setOutputDir("first").build());
    awaitState(first.getId(), JobState.JOB_STATE_SUCCEEDED);
    Job second = jobs.service.submit(jobs.demoSpec().setMaxSteps(100000).setOutputDir("second").build());
    awaitState(second.getId(), JobState.JOB_STATE_RUNNING);
    Job third = jobs.service.submit(jobs.demoSpec().setOutputDir("third").build());

    assertEquals(List.of(third.getId(), second.getId(), first.getId()), ids(jobs.service.list(null)));
    assertEquals(ids(jobs.service.list(null)), ids(jobs.service.list(JobState.JOB_STATE_UNSPECIFIED)));
    assertEquals(List.of(second.getId()), ids(jobs.service.list(JobState.JOB_STATE_RUNNING)));
    assertEquals(List.of(third.getId()), ids(jobs.service.list(JobState.JOB_STATE_QUEUED)));
    assertEquals(List.of(first.getId()), ids(jobs.service.list(JobState.JOB_STATE_SUCCEEDED)));
    jobs.service.cancel(second.getId());
  }

  @Test
  void twoLiveJobsMayNotShareAnOutputDir() {
    Job running = jobs.service.submit(jobs.demoSpec().setMaxSteps(100000).setOutputDir("shared").build());
    JobServiceException e = assertThrows(JobServiceException.class,
        () -> jobs.service.submit(jobs.demoSpec().setOutputDir("shared").build()));
    assertEquals(Reason.INVALID_ARGUMENT, e.reason());
    assertTrue(e.getMessage().contains("is in use by job " + running.getId()), e.getMessage());
    jobs.service.cancel(running.getId());
  }

  @Test
  void watchReplaysThePastThenFollowsLiveUntilTheEnd() {
    jobs.close();
    jobs = new JobsFixture(tmp.resolve("slow"), 40, 2);
    Job job = jobs.service.submit(jobs.demoSpec().setMaxSteps(12).build());
    await().atMost(WAIT).until(() -> jobs.service.get(job.getId()).getStep() >= 3);

    List<JobEvent> seen = new CopyOnWriteArrayList<>();
    AtomicBoolean ended = new AtomicBoolean();
    int pastEvents = jobs.service.record(job.getId()).events().size();
    jobs.service.watch(job.getId(), watcher(seen, ended));
    assertTrue(seen.size() >= pastEvents, "the past is replayed before watch returns");
    assertFalse(ended.get());

    await().atMost(WAIT).untilTrue(ended);
    List<JobEvent> all = jobs.service.record(job.getId()).events();
    assertEquals(all, seen, "replay and live events join without a gap or a duplicate");
    assertEquals(12, seen.stream().filter(e -> e.getKind() == Kind.PROGRESS).count());
    assertEquals(JobState.JOB_STATE_SUCCEEDED, last(seen).getState());

    List<JobEvent> again = new ArrayList<>();
    AtomicBoolean endedAgain = new AtomicBoolean();
    jobs.service.watch(job.getId(), watcher(again, endedAgain));
    assertEquals(all, again, "a finished job replays everything");
    assertTrue(endedAgain.get(), "and ends at once");
  }

  @Test
  void aDetachedWatcherGetsNothingMore() {
    Job job = jobs.service.submit(jobs.demoSpec().setMaxSteps(100000).build());
    List<JobEvent> seen = new CopyOnWriteArrayList<>();
    Runnable detach = jobs.service.watch(job.getId(), watcher(seen, new AtomicBoolean()));
    await().atMost(WAIT).until(() -> seen.size() >= 4);
    assertEquals(1, jobs.service.record(job.getId()).watcherCount());

    detach.run();
    assertEquals(0, jobs.service.record(job.getId()).watcherCount());
    int count = seen.size();
    await().atMost(WAIT).until(() -> jobs.service.get(job.getId()).getStep() >= count + 3);
    assertEquals(count, seen.size());
    jobs.service.cancel(job.getId());
  }

  @Test
  void aWatcherThatThrowsIsDetached() {
    Job job = jobs.service.submit(jobs.demoSpec().setMaxSteps(100000).build());
    await().atMost(WAIT).until(() -> jobs.service.get(job.getId()).getStep() >= 1);
    AtomicBoolean replayed = new AtomicBoolean();
    jobs.service.watch(job.getId(), new JobWatcher() {
      @Override
      public void onEvent(JobEvent event) {
        if (replayed.get()) {
          throw new IllegalStateException("client went away");
        }
      }

      @Override
      public void onEnd() {}
    });
    replayed.set(true);
    await().atMost(WAIT).until(() -> jobs.service.record(job.getId()).watcherCount() == 0);
    jobs.service.cancel(job.getId());
  }

  private Job awaitState(String id, JobState state) {
    await().atMost(WAIT).until(() -> jobs.service.get(id).getState() == state);
    return jobs.service.get(id);
  }

  private static JobWatcher watcher(List<JobEvent> seen, AtomicBoolean ended) {
    return new JobWatcher() {
      @Override
      public void onEvent(JobEvent event) {
        seen.add(event);
      }

      @Override
      public void onEnd() {
        ended.set(true);
      }
    };
  }

  static List<String> describe(List<JobEvent> events) {
    return events.stream().map(e -> e.getKind() + " " + (e.getKind() == Kind.PROGRESS ? e.getStep() : e.getState()))
        .toList();
  }

  private static List<String> ids(List<Job> list) {
    return list.stream().map(Job::getId).toList();
  }

  private static JobEvent last(List<JobEvent> events) {
    return events.get(events.size() - 1);
  }
}
