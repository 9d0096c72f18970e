package dev.llava.trainer.kubernetes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.proto.v1.Job;
import dev.llava.proto.v1.JobEvent;
import dev.llava.proto.v1.JobSpec;
import dev.llava.proto.v1.JobState;
import dev.llava.proto.v1.Runner;
import dev.llava.proto.v1.TrainingStage;
import dev.llava.trainer.TestData;
import dev.llava.trainer.jobs.JobService;
import dev.llava.trainer.jobs.JobWatcher;
import dev.llava.trainer.jobs.ProtoJson;
import dev.llava.trainer.jobs.TrainingSpecJson;
import dev.llava.testing.KafkaTestResource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.KubernetesServerTestResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes runner against the fabric8 mock API server in CRUD mode: the Job it creates, the state its
 * status moves the job to, cancel deleting it, and the progress it reads from the metrics.jsonl the pod appends to
 * in output_dir (written here by the test, as the pod would on the shared volume; the test profile reads it every
 * 100 ms). The trainer's image is read from its own pod (trainer-0), as in the cluster.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(KubernetesServerTestResource.class)
class KubernetesRunnerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String IMAGE = "registry.example/llava/trainer:1.2.3";
  private static final String NS = "test";

  @KubernetesTestServer KubernetesServer server;
  @Inject JobService jobs;
  KubernetesClient api;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @BeforeEach
  void trainerPod() {
    api = server.getClient();
    if (api.pods().inNamespace(NS).withName("trainer-0").get() == null) {
      api.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("trainer-0").endMetadata()
          .withNewSpec().addNewContainer().withName("trainer").withImage(IMAGE).endContainer().endSpec().build())
          .create();
    }
  }

  @Test
  void submitCreatesAGpuJobFollowingTheTrainingJobConventions() {
    Job job = jobs.submit(gpuSpec(2).build());
    assertEquals("llava-train-" + job.getId(), job.getKubernetesJob());
    var k8s = api.batch().v1().jobs().inNamespace(NS).withName(job.getKubernetesJob()).get();

    Map<String, String> labels = Map.of("app.kubernetes.io/part-of", "llava",
        "app.kubernetes.io/component", "training-job", "app.kubernetes.io/managed-by", "llava-trainer",
        "llava.dev/job-id", job.getId());
    assertTrue(k8s.getMetadata().getLabels().entrySet().containsAll(labels.entrySet()), "Job labels");
    assertTrue(k8s.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(labels.entrySet()));
    assertEquals(0, k8s.getSpec().getBackoffLimit());
    assertEquals(86400, k8s.getSpec().getTtlSecondsAfterFinished());
    assertEquals(172800L, k8s.getSpec().getActiveDeadlineSeconds());

    PodSpec pod = k8s.getSpec().getTemplate().getSpec();
    assertEquals("llava-training-job", pod.getServiceAccountName());
    assertEquals(false, pod.getAutomountServiceAccountToken());
    assertEquals("Never", pod.getRestartPolicy());
    assertEquals("nvidia", pod.getRuntimeClassName());
    assertEquals(Map.of("llava.dev/pool", "training"), pod.getNodeSelector(), "from the configuration");
    Toleration gpu = pod.getTolerations().get(0);
    assertEquals(List.of("nvidia.com/gpu", "Exists", "NoSchedule"),
        List.of(gpu.getKey(), gpu.getOperator(), gpu.getEffect()));
    var term = pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms().get(0).getMatchExpressions().get(0);
    assertEquals(List.of("nvidia.com/gpu.present", "In", List.of("true")),
        List.of(term.getKey(), term.getOperator(), term.getValues()));
    assertEquals(true, pod.getSecurityContext().getRunAsNonRoot());
    assertEquals(185L, pod.getSecurityContext().getRunAsUser());
    assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());

    assertEquals(1, pod.getContainers().size());
    Container c = pod.getContainers().get(0);
    assertEquals(IMAGE, c.getImage(), "the trainer's own image, read from its pod");
    assertEquals(List.of("bin/llava"), c.getCommand());
    assertEquals(List.of("train", "--spec-json", "/etc/llava/training-spec/spec.json"), c.getArgs());
    assertEquals(new Quantity("2"), c.getResources().getLimits().get("nvidia.com/gpu"));
    assertEquals(new Quantity("2"), c.getResources().getRequests().get("nvidia.com/gpu"));
    assertEquals(false, c.getSecurityContext().getAllowPrivilegeEscalation());
    assertEquals(true, c.getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
    assertEquals(Map.of("/tmp", "tmp", "/var/cache/djl", "djl-cache", "/dev/shm", "dshm", "/models", "models",
        "/etc/llava/training-spec", "training-spec"), mounts(c));

    // The spec the pod reads: the annotation, projected to the file its args name.
    String specJson = k8s.getSpec().getTemplate().getMetadata().getAnnotations().get("llava.dev/training-spec");
    assertEquals(jobs.record(job.getId()).spec(), TrainingSpecJson.read(specJson));
    var specVolume = pod.getVolumes().stream().filter(v -> v.getName().equals("training-spec")).findFirst()
        .orElseThrow();
    assertEquals("metadata.annotations['llava.dev/training-spec']",
        specVolume.getDownwardAPI().getItems().get(0).getFieldRef().getFieldPath());
    assertEquals("llava-models", pod.getVolumes().stream().filter(v -> v.getName().equals("models")).findFirst()
        .orElseThrow().getPersistentVolumeClaim().getClaimName());
    jobs.cancel(job.getId());
  }

  @Test
  void aCpuOnlyJobHasNoneOfTheGpuPlacement() {
    Job job = jobs.submit(gpuSpec(0).build());
    PodSpec pod = api.batch().v1().jobs().inNamespace(NS).withName(job.getKubernetesJob()).get().getSpec()
        .getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertNull(c.getResources().getLimits().get("nvidia.com/gpu"));
    assertNull(pod.getRuntimeClassName());
    assertTrue(pod.getTolerations() == null || pod.getTolerations().isEmpty(), "no tolerations");
    assertNull(pod.getAffinity());
    assertTrue(!mounts(c).containsKey("/dev/shm"), "no /dev/shm");
    assertEquals(new Quantity("8"), c.getResources().getLimits().get("cpu"), "the template's CPU and memory stay");
    jobs.cancel(job.getId());
  }

  @Test
  void aRunningThenCompleteJobSucceedsAndAnnouncesTheCheckpointItWrote() throws IOException {
    Job job = jobs.submit(gpuSpec(1).setModelName("k8s-demo").build());
    assertEquals(JobState.JOB_STATE_QUEUED, job.getState(), "queued until its pod runs");

    status(job, new JobStatusBuilder().withActive(1).withReady(1).build());
    await().atMost(WAIT).until(() -> jobs.get(job.getId()).getState() == JobState.JOB_STATE_RUNNING);

    Path out = Path.of(job.getSpec().getOutputDir());   // what the pod wrote on the shared volume
    Files.createDirectories(out);
    Files.writeString(out.resolve("config.json"), "{\"model_type\": \"llava\"}");
    status(job, new JobStatusBuilder().withSucceeded(1).withConditions(new JobConditionBuilder()
        .withType("Complete").withStatus("True").build()).build());
    await().atMost(WAIT).until(() -> jobs.get(job.getId()).getState() == JobState.JOB_STATE_SUCCEEDED);

    Job done = jobs.get(job.getId());
    assertEquals(out.toString(), done.getCheckpointDir());
    assertEquals("Kubernetes Job " + job.getKubernetesJob() + " completed", done.getMessage());
    List<JobEvent> events = jobs.record(job.getId()).events();
    assertEquals(List.of("STATE_CHANGED QUEUED", "LOG QUEUED", "STATE_CHANGED RUNNING",
        "CHECKPOINT_PUBLISHED RUNNING", "STATE_CHANGED SUCCEEDED"), events.stream()
        .map(e -> e.getKind() + " " + e.getState().name().substring("JOB_STATE_".length())).toList());
    assertEquals("k8s-demo", events.get(3).getModel().getName());
    assertTrue(events.get(3).getModel().getRevision().matches("[0-9a-f]{16}"));
  }

  @Test
  void aFailedJobFailsWithTheConditionsReason() {
    Job job = jobs.submit(gpuSpec(1).build());
    status(job, new JobStatusBuilder().withFailed(1).withConditions(new JobConditionBuilder().withType("Failed")
        .withStatus("True").withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff"
            + " limit").build()).build());
    await().atMost(WAIT).until(() -> jobs.get(job.getId()).getState() == JobState.JOB_STATE_FAILED);
    assertEquals("Kubernetes Job " + job.getKubernetesJob() + " failed: BackoffLimitExceeded: Job has reached the"
        + " specified backoff limit", jobs.get(job.getId()).getMessage());
  }

  @Test
  void cancelDeletesTheJobAndADeletionByOthersFailsIt() {
    Job job = jobs.submit(gpuSpec(1).build());
    status(job, new JobStatusBuilder().withActive(1).withReady(1).build());
    await().atMost(WAIT).until(() -> jobs.get(job.getId()).getState() == JobState.JOB_STATE_RUNNING);

    Job cancelled = jobs.cancel(job.getId());
    assertEquals(JobState.JOB_STATE_CANCELLED, cancelled.getState(), "deleting the Job stops it at once");
    assertEquals("cancelled: Kubernetes Job " + job.getKubernetesJob() + " deleted", cancelled.getMessage());
    await().atMost(WAIT).until(() -> api.batch().v1().jobs().inNamespace(NS).withName(job.getKubernetesJob())
        .get() == null);

    Job other = jobs.submit(gpuSpec(1).build());
    api.batch().v1().jobs().inNamespace(NS).withName(other.getKubernetesJob()).delete();
    await().atMost(WAIT).until(() -> jobs.get(other.getId()).getState() == JobState.JOB_STATE_FAILED);
    assertEquals("Kubernetes Job " + other.getKubernetesJob() + " was deleted before it finished",
        jobs.get(other.getId()).getMessage());
  }

  @Test
  void theStepsThePodAppendsToMetricsJsonlAreTheJobsProgressOnGetWatchAndKafka() throws IOException {
    Job job = jobs.submit(gpuSpec(1).setModelName("k8s-progress").build());
    running(job);
    List<JobEvent> watched = new CopyOnWriteArrayList<>();
    jobs.record(job.getId()).watch(new JobWatcher() {
      @Override
      public void onEvent(JobEvent event) {
        watched.add(event);
      }

      @Override
      public void onEnd() {}
    });
    Path out = Path.of(job.getSpec().getOutputDir());
    Path metrics = Files.createDirectories(out).resolve("metrics.jsonl");

    append(metrics, MetricsFileFollowerTest.step(1, 2.5) + MetricsFileFollowerTest.step(2, 2.25));
    await().atMost(WAIT).until(() -> progressSteps(job).equals(List.of(1, 2)));
    Job now = jobs.get(job.getId());
    assertEquals(List.of(2, 10, 2.25), List.of(now.getStep(), now.getTotalSteps(), now.getLoss()), "GetJob");
    JobEvent second = progress(job).get(1);
    assertEquals(List.of(1e-4, 12.5), List.of(second.getLearningRate(), second.getSamplesPerSecond()));

    // A line that is no step is skipped; a line still being written counts once its line end is there.
    String step4 = MetricsFileFollowerTest.step(4, 1.75);
    append(metrics, "{\"oops\n" + MetricsFileFollowerTest.step(3, 2.0) + step4.substring(0, 20));
    await().atMost(WAIT).until(() -> progressSteps(job).contains(3));
    assertEquals(List.of(1, 2, 3), progressSteps(job), "step 4 is not complete yet");
    assertEquals(JobState.JOB_STATE_RUNNING, jobs.get(job.getId()).getState(), "a bad line does not fail the job");
    append(metrics, step4.substring(20));
    await().atMost(WAIT).until(() -> progressSteps(job).equals(List.of(1, 2, 3, 4)));

    // The last step, logged just before the pod ends, is reported before the job succeeds.
    Files.writeString(out.resolve("config.json"), "{\"model_type\": \"llava\"}");
    append(metrics, MetricsFileFollowerTest.step(5, 1.5));
    status(job, new JobStatusBuilder().withSucceeded(1).withConditions(new JobConditionBuilder()
        .withType("Complete").withStatus("True").build()).build());
    await().atMost(WAIT).until(() -> jobs.get(job.getId()).getState() == JobState.JOB_STATE_SUCCEEDED);
    List<JobEvent> events = jobs.record(job.getId()).events();
    assertEquals(List.of(1, 2, 3, 4, 5), progressSteps(job));
    assertEquals(List.of("PROGRESS 5", "CHECKPOINT_PUBLISHED 5", "STATE_CHANGED 0"), events
        .subList(events.size() - 3, events.size()).stream().map(e -> e.getKind() + " " + e.getStep()).toList());
    assertEquals(1.5, jobs.get(job.getId()).getLoss());

    assertEquals(events, watched, "WatchJob streamed every event as it happened");
    assertEquals(List.of(1, 2, 3, 4, 5), onEventsTopic(job).stream()
        .filter(e -> e.getKind() == JobEvent.Kind.PROGRESS).map(JobEvent::getStep).toList(), "on Kafka");
  }

  @Test
  void noProgressIsReportedOnceTheJobIsCancelled() throws IOException {
    Job job = jobs.submit(gpuSpec(1).build());
    running(job);
    Path metrics = Files.createDirectories(Path.of(job.getSpec().getOutputDir())).resolve("metrics.jsonl");
    append(metrics, MetricsFileFollowerTest.step(1, 2.5));
    await().atMost(WAIT).until(() -> progressSteps(job).equals(List.of(1)));

    jobs.cancel(job.getId());
    List<JobEvent> afterCancel = jobs.record(job.getId()).events();
    append(metrics, MetricsFileFollowerTest.step(2, 2.25));   // the pod is still going while it is deleted
    await().during(Duration.ofMillis(600)).atMost(WAIT)
        .until(() -> jobs.record(job.getId()).events().equals(afterCancel));
    assertEquals(JobState.JOB_STATE_CANCELLED, afterCancel.get(afterCancel.size() - 1).getState());
  }

  @Test
  void aMetricsLogAnEarlierRunLeftInOutputDirIsNotThisJobsProgress() throws IOException {
    Path out = Path.of("target", "test-jobs", "reused-output").toAbsolutePath();
    Path metrics = Files.createDirectories(out).resolve("metrics.jsonl");
    Files.writeString(metrics, MetricsFileFollowerTest.step(1, 9.0) + MetricsFileFollowerTest.step(2, 8.0));
    Job job = jobs.submit(gpuSpec(1).setOutputDir(out.toString()).build());
    running(job);
    await().during(Duration.ofMillis(600)).atMost(WAIT).until(() -> progressSteps(job).isEmpty());

    Files.writeString(metrics, MetricsFileFollowerTest.step(1, 2.5));   // the pod's trainer starts the log afresh
    await().atMost(WAIT).until(() -> progressSteps(job).equals(List.of(1)));
    assertEquals(2.5, jobs.get(job.getId()).getLoss());
    jobs.cancel(job.getId());
  }

  private void running(Job job) {
    status(job, new JobStatusBuilder().withActive(1).withReady(1).build());
    await().atMost(WAIT).until(() -> jobs.get(job.getId()).getState() == JobState.JOB_STATE_RUNNING);
  }

  private List<JobEvent> progress(Job job) {
    return jobs.record(job.getId()).events().stream().filter(e -> e.getKind() == JobEvent.Kind.PROGRESS).toList();
  }

  private List<Integer> progressSteps(Job job) {
    return progress(job).stream().map(JobEvent::getStep).toList();
  }

  private static void append(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** The job's events on llava.training.events, read from the start of every partition (no consumer group). */
  private List<JobEvent> onEventsTopic(Job job) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<JobEvent> onTopic = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = consumer.partitionsFor("llava.training.events").stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!succeeded(onTopic) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key().equals(job.getId())) {
            onTopic.add(ProtoJson.parse(r.value(), JobEvent.newBuilder()).build());
          }
        }
      }
    }
    return onTopic;
  }

  private static boolean succeeded(List<JobEvent> events) {
    return !events.isEmpty() && events.get(events.size() - 1).getState() == JobState.JOB_STATE_SUCCEEDED;
  }

  private JobSpec.Builder gpuSpec(int gpus) {
    return JobSpec.newBuilder().setStage(TrainingStage.ALL_PARTS).setRecipe("demo").setRunner(Runner.KUBERNETES)
        .setDataPath(TestData.trainJson().toString()).setGpus(gpus);
  }

  private void status(Job job, io.fabric8.kubernetes.api.model.batch.v1.JobStatus status) {
    var k8s = api.batch().v1().jobs().inNamespace(NS).withName(job.getKubernetesJob()).get();
    k8s.setStatus(status);
    api.batch().v1().jobs().inNamespace(NS).resource(k8s).updateStatus();
  }

  private static Map<String, String> mounts(Container c) {
    Map<String, String> m = new java.util.TreeMap<>();
    c.getVolumeMounts().forEach(v -> m.put(v.getMountPath(), v.getName()));
    return m;
  }
}
