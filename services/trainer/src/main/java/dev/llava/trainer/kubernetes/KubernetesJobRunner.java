package dev.llava.trainer.kubernetes;

import dev.llava.model.runtime.ModelRevision;
import dev.llava.model.train.MetricsLog;
import dev.llava.proto.v1.JobState;
import dev.llava.proto.v1.ModelRef;
import dev.llava.trainer.jobs.JobRecord;
import dev.llava.trainer.jobs.JobRunner;
import dev.llava.trainer.jobs.TrainingSpecJson;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs each job as a batch/v1 Job ({@link TrainingJobFactory}) and follows it with an informer on the training
 * Jobs' labels: the Job's status moves the job (QUEUED while its pod waits, RUNNING, SUCCEEDED, FAILED); on
 * success the checkpoint in output_dir (on the shared volume the trainer mounts too) is announced. CancelJob
 * deletes the Job with background propagation, so its pod goes with it.
 *
 * <p>Progress: the pod's trainer appends one line per optimizer step to {@code <output_dir>/metrics.jsonl} on that
 * volume. While the job runs, a {@link MetricsFileFollower} reads the new lines every
 * {@code metrics-poll-interval} and reports each as the job's PROGRESS, as the local runner does. Following stops
 * when the job ends; on success or failure the file is read a last time first, so the job shows its last step.
 */
public final class KubernetesJobRunner implements JobRunner {
  private static final Logger LOG = Logger.getLogger(KubernetesJobRunner.class.getName());

  private final KubernetesClient client;
  private final KubernetesJobSettings settings;
  private final TrainingJobFactory factory;
  private final MetricsFileFollower metrics;
  private final String namespace;
  /** The jobs this runner started and that have not finished, by job id. */
  private final Map<String, JobRecord> jobs = new ConcurrentHashMap<>();
  private volatile SharedIndexInformer<Job> informer;
  private volatile String watchProblem;
  private volatile String image;

  public KubernetesJobRunner(KubernetesClient client, KubernetesJobSettings settings, Job template) {
    this.client = client;
    this.settings = settings;
    this.factory = new TrainingJobFactory(settings, template, client.getKubernetesSerialization());
    this.metrics = new MetricsFileFollower(settings.metricsPollInterval());
    this.namespace = settings.namespace().orElseGet(() -> client.getNamespace() == null ? "default"
        : client.getNamespace());
    this.watchProblem = "not watching training Jobs in namespace " + namespace + " yet (waiting for the API"
        + " server's first listing)";
  }

  public String namespace() {
    return namespace;
  }

  /** Starts watching the training Jobs; waits up to {@code waitSeconds} for the first listing. */
  public void start(long waitSeconds) {
    informer = client.batch().v1().jobs().inNamespace(namespace).withLabels(TrainingJobFactory.selectorLabels())
        .runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Job job) {
        observe(job);
      }

      @Override
      public void onUpdate(Job before, Job job) {
        observe(job);
      }

      @Override
      public void onDelete(Job job, boolean finalStateUnknown) {
        deleted(job);
      }
    });
    var started = informer.start().whenComplete((ok, failure) -> watchProblem = failure == null ? null
        : "watching training Jobs in namespace " + namespace + " failed: " + failure.getMessage());
    try {
      started.toCompletableFuture().get(waitSeconds, TimeUnit.SECONDS);
    } catch (Exception notYet) {
      LOG.warning("training Jobs in namespace " + namespace + " are not listed yet: " + notYet);
    }
  }

  @Override
  public String unavailableReason() {
    return watchProblem;
  }

  @Override
  public void admit(JobRecord record) {
    record.kubernetesJob(TrainingJobFactory.jobName(record.id()));
  }

  @Override
  public void submit(JobRecord record) {
    String img = image();
    int gpus = record.snapshot().getSpec().getGpus();
    Job job = factory.build(record.id(), TrainingSpecJson.write(record.spec()), gpus, img);
    String name = job.getMetadata().getName();
    jobs.put(record.id(), record);
    // Before the Job exists, so that only what its pod writes counts, not a log an earlier run left there.
    metrics.expect(record.id(), record.spec().outputDir().resolve(MetricsLog.FILE), record::progress);
    try {
      client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
    } catch (RuntimeException e) {
      jobs.remove(record.id());
      metrics.stop(record.id(), false);
      throw e;
    }
    record.log("created Kubernetes Job " + name + " in namespace " + namespace + " (image " + img + ", "
        + gpus + (gpus == 1 ? " GPU)" : " GPUs)"));
  }

  /** The Job as this runner would create it (tests, and a dry run). */
  public Job build(JobRecord record) {
    return factory.build(record.id(), TrainingSpecJson.write(record.spec()), record.snapshot().getSpec().getGpus(),
        image());
  }

  @Override
  public void cancel(JobRecord record) {
    String name = TrainingJobFactory.jobName(record.id());
    // Finish first, so the informer's DELETED that follows finds a finished job and changes nothing.
    record.finish(JobState.JOB_STATE_CANCELLED, "cancelled: Kubernetes Job " + name + " deleted", null);
    jobs.remove(record.id());
    metrics.stop(record.id(), false);
    try {
      client.batch().v1().jobs().inNamespace(namespace).withName(name)
          .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not delete Kubernetes Job " + name + " of cancelled job " + record.id(), e);
    }
  }

  private void observe(Job job) {
    JobRecord record = recordOf(job);
    if (record == null) {
      return;
    }
    JobStatusMapping.Observed o = JobStatusMapping.observe(job);
    switch (o.state()) {
      case JOB_STATE_RUNNING -> {
        record.start(o.message());
        metrics.follow(record.id());
      }
      case JOB_STATE_SUCCEEDED -> {
        // The steps logged since the last read, while the job still runs: the final step is its checkpoint's.
        metrics.stop(record.id(), true);
        Path checkpoint = announceCheckpoint(record);
        record.finish(JobState.JOB_STATE_SUCCEEDED, o.message(), checkpoint);
        jobs.remove(record.id());
      }
      case JOB_STATE_FAILED -> {
        metrics.stop(record.id(), true);   // how far it got
        record.finish(JobState.JOB_STATE_FAILED, o.message(), null);
        jobs.remove(record.id());
      }
      default -> { }
    }
  }

  private void deleted(Job job) {
    JobRecord record = recordOf(job);
    if (record != null) {
      jobs.remove(record.id());
      metrics.stop(record.id(), false);
      record.finish(JobState.JOB_STATE_FAILED, "Kubernetes Job " + job.getMetadata().getName()
          + " was deleted before it finished", null);
    }
  }

  private JobRecord recordOf(Job job) {
    Map<String, String> labels = job.getMetadata().getLabels();
    String id = labels == null ? null : labels.get(TrainingJobFactory.JOB_ID_LABEL);
    return id == null ? null : jobs.get(id);
  }

  /** The pod wrote its checkpoint to output_dir on the shared volume; announce it when it is there. */
  private static Path announceCheckpoint(JobRecord record) {
    Path out = record.spec().outputDir();
    if (!Files.isRegularFile(out.resolve("config.json"))) {
      record.log("no checkpoint (config.json) at output_dir " + out + " as seen by the trainer; nothing announced");
      return null;
    }
    String revision = "";
    try {
      revision = ModelRevision.of(out);
    } catch (IOException e) {
      record.log("could not compute the revision of checkpoint " + out + ": " + e.getMessage());
    }
    record.checkpoint(out, record.snapshot().getStep(), ModelRef.newBuilder()
        .setName(record.snapshot().getSpec().getModelName()).setRevision(revision).build());
    return out;
  }

  /** The configured image, else the image this trainer pod runs (read once from the API). */
  private String image() {
    if (settings.image().isPresent()) {
      return settings.image().get();
    }
    if (image == null) {
      String pod = settings.podName().filter(name -> !name.isBlank()).orElse(null);
      if (pod == null) {
        throw new IllegalStateException("no trainer image for the Job: set llava.trainer.kubernetes.image, or run"
            + " the trainer in a pod (HOSTNAME) whose image the Jobs reuse");
      }
      Pod self = client.pods().inNamespace(namespace).withName(pod).get();
      image = TrainingJobFactory.imageOf(self, settings.containerName()).orElseThrow(() -> new IllegalStateException(
          "no trainer image for the Job: pod " + pod + " not found in namespace " + namespace
              + " (set llava.trainer.kubernetes.image)"));
    }
    return image;
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    metrics.close();
  }
}
