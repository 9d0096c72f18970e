package dev.llava.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Configuration of the trainer service ({@code llava.trainer.*}). */
@ConfigMapping(prefix = "llava.trainer")
public interface TrainerConfig {

  /**
   * Directory under which job outputs are written: output_dir must lie inside it (relative paths resolve against
   * it; the default output_dir is {@code <work-dir>/<job-id>}). Inputs may also come from here.
   */
  @WithDefault("${java.io.tmpdir}/llava-jobs")
  String workDir();

  /** Further directories job inputs (data_path, image_dir, base_model_dir, resume_from) may be read from. */
  Optional<List<String>> dataRoots();

  /** Jobs that may wait in state QUEUED (all runners); beyond this SubmitJob answers RESOURCE_EXHAUSTED. */
  @WithDefault("16")
  int maxQueuedJobs();

  /** Finished jobs kept in memory for GetJob/ListJobs/WatchJob; the oldest finished ones are forgotten first. */
  @WithDefault("1000")
  int maxRetainedJobs();

  /** PROGRESS events a job keeps for WatchJob replay (the oldest are dropped; Kafka gets every one). */
  @WithDefault("1000")
  int maxReplayProgressEvents();

  /**
   * The {@code dev.llava.model.train.TrainingRunner} the local runner calls, instantiated by its no-arg
   * constructor. When the class is missing the local runner is unavailable and readiness says why.
   */
  @WithDefault("dev.llava.model.train.LlavaTrainer")
  String runnerClass();

  /** Bounds on what a job may ask for. */
  Limits limits();

  /** The in-process runner. */
  Local local();

  /** The batch/v1 Job runner. */
  Kubernetes kubernetes();

  /** Kafka: job events and the model registry. */
  Kafka kafka();

  /** Kafka topics the trainer publishes to. */
  Topics topics();

  interface Limits {
    /** GPUs per Kubernetes job pod: 0..max-gpus. */
    @WithDefault("8")
    int maxGpus();

    /** Upper bound of max_steps. */
    @WithDefault("1000000")
    int maxSteps();

    /** Upper bound of global_batch_size. */
    @WithDefault("4096")
    int maxGlobalBatchSize();

    /** Upper bound of micro_batch_size (sequences per forward pass). */
    @WithDefault("256")
    int maxMicroBatchSize();

    /** Upper bound of max_length (tokens per sequence). */
    @WithDefault("32768")
    int maxLength();
  }

  interface Local {
    /** Whether LOCAL jobs are accepted (a Kubernetes-only trainer may turn it off). */
    @WithDefault("true")
    boolean enabled();
  }

  interface Kubernetes {
    /** Whether KUBERNETES jobs are accepted; the runner watches its Jobs only when on. */
    @WithDefault("false")
    boolean enabled();

    /** Namespace for the Jobs; the client's namespace (KUBERNETES_NAMESPACE) when unset. */
    Optional<String> namespace();

    /** The Job template (k8s/base/trainer-job-template.yaml as mounted); a built-in equivalent when absent. */
    @WithDefault("/etc/llava/training-job/job.yaml")
    String jobTemplate();

    /** Trainer image for the Jobs; when unset, the image of this pod's container (read from the API). */
    Optional<String> image();

    /** This pod's name (HOSTNAME in a pod), for reading its image. */
    @WithDefault("${HOSTNAME:}")
    Optional<String> podName();

    /** The container of this pod whose image the Jobs run. */
    @WithDefault("trainer")
    String containerName();

    /** Entry point of the Job container; it receives {@code train --spec-json <file>}. */
    @WithDefault("bin/llava")
    List<String> command();

    /** ServiceAccount of the Job pods (no RBAC, no token). */
    @WithDefault("llava-training-job")
    String serviceAccount();

    @WithDefault("86400")
    int ttlSecondsAfterFinished();

    @WithDefault("172800")
    long activeDeadlineSeconds();

    /** Runtime class of GPU job pods (CPU-only jobs get none). */
    @WithDefault("nvidia")
    String runtimeClassName();

    /** Tolerations of GPU job pods, kubectl taint syntax {@code key[=value]:effect}. */
    @WithDefault("nvidia.com/gpu:NoSchedule")
    List<String> gpuTolerations();

    /** Node selector of every job pod. */
    Map<String, String> nodeSelector();

    /** Optional CPU/memory overrides of the template's requests and limits ("4", "32Gi"). */
    Optional<String> cpuRequest();

    Optional<String> cpuLimit();

    Optional<String> memoryRequest();

    Optional<String> memoryLimit();

    /**
     * How often the runner reads a running job's {@code <output_dir>/metrics.jsonl} (on the shared volume) for
     * its PROGRESS events; "5s", "500ms" or ISO-8601.
     */
    @WithDefault("5s")
    Duration metricsPollInterval();
  }

  interface Kafka {
    /** Bootstrap servers; empty turns publishing off (events stay in memory and on WatchJob). */
    @WithDefault("${kafka.bootstrap.servers:}")
    Optional<String> bootstrapServers();

    /** Create the topics at start-up when missing (llava.models compacted). */
    @WithDefault("true")
    boolean createTopics();
  }

  interface Topics {
    @WithDefault("llava.training.events")
    String events();

    @WithDefault("llava.models")
    String models();
  }
}
