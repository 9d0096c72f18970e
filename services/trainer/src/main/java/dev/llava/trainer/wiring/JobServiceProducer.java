package dev.llava.trainer.wiring;

import dev.llava.model.train.TrainingRunner;
import dev.llava.proto.v1.Runner;
import dev.llava.trainer.config.TrainerConfig;
import dev.llava.trainer.jobs.EventDispatcher;
import dev.llava.trainer.jobs.JobEventListener;
import dev.llava.trainer.jobs.JobLimits;
import dev.llava.trainer.jobs.JobRunner;
import dev.llava.trainer.jobs.JobService;
import dev.llava.trainer.jobs.JobStore;
import dev.llava.trainer.jobs.LocalRunner;
import dev.llava.trainer.jobs.PathPolicy;
import dev.llava.trainer.jobs.SpecResolver;
import dev.llava.trainer.jobs.TrainingRunners;
import dev.llava.trainer.kafka.KafkaJobEventPublisher;
import dev.llava.trainer.kubernetes.DefaultJobTemplate;
import dev.llava.trainer.kubernetes.KubernetesJobRunner;
import dev.llava.trainer.kubernetes.KubernetesJobSettings;
import dev.llava.trainer.metrics.TrainerMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Assembles the job service from configuration at start-up: the path policy over the work dir and data roots, the
 * enabled runners (local: the {@link TrainingRunner} bean; Kubernetes: the fabric8 client, the mounted or built-in
 * Job template), and the event listeners (metrics, Kafka when bootstrap servers are set).
 */
@ApplicationScoped
public class JobServiceProducer {
  private static final Logger LOG = Logger.getLogger(JobServiceProducer.class);

  private KafkaJobEventPublisher kafka;

  @Produces
  @Singleton
  JobStore jobStore(TrainerConfig config) {
    return new JobStore(config.maxRetainedJobs());
  }

  @Produces
  @Singleton
  @Startup
  JobService jobService(TrainerConfig config, JobStore store, TrainingRunner trainingRunner, MeterRegistry registry,
      Instance<KubernetesClient> kubernetes) {
    Path workDir = Path.of(config.workDir()).toAbsolutePath().normalize();
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      LOG.warnf("cannot create the work dir %s (%s); jobs writing there will fail", workDir, e);
    }
    List<Path> dataRoots = config.dataRoots().orElse(List.of()).stream().map(Path::of).toList();

    Map<Runner, JobRunner> runners = new EnumMap<>(Runner.class);
    if (config.local().enabled()) {
      runners.put(Runner.LOCAL, trainingRunner instanceof TrainingRunners.Unavailable u
          ? new LocalRunner(null, u.reason()) : new LocalRunner(trainingRunner, null));
    }
    if (config.kubernetes().enabled()) {
      KubernetesClient client = kubernetes.get();
      Path templateFile = Path.of(config.kubernetes().jobTemplate());
      KubernetesJobRunner k8s = new KubernetesJobRunner(client, KubernetesJobSettings.from(config.kubernetes()),
          DefaultJobTemplate.load(templateFile, client.getKubernetesSerialization()));
      k8s.start(10);
      LOG.infof("Kubernetes runner: Jobs in namespace %s from %s", k8s.namespace(),
          Files.isRegularFile(templateFile) ? templateFile : "the built-in template");
      runners.put(Runner.KUBERNETES, k8s);
    }

    List<JobEventListener> listeners = new ArrayList<>();
    listeners.add(new TrainerMetrics(registry, store));
    config.kafka().bootstrapServers().filter(s -> !s.isBlank()).ifPresentOrElse(servers -> {
      if (config.kafka().createTopics()) {
        KafkaJobEventPublisher.createTopics(servers, config.topics().events(), config.topics().models());
      }
      kafka = new KafkaJobEventPublisher(servers, config.topics().events(), config.topics().models());
      listeners.add(kafka);
    }, () -> LOG.warn("no Kafka bootstrap servers (llava.trainer.kafka.bootstrap-servers / kafka.bootstrap.servers):"
        + " job events are not published"));

    SpecResolver resolver = new SpecResolver(new PathPolicy(workDir, dataRoots),
        new JobLimits(config.limits().maxGpus(), config.limits().maxSteps(), config.limits().maxGlobalBatchSize(),
            config.limits().maxMicroBatchSize(), config.limits().maxLength()),
        runners.keySet());
    return new JobService(new JobService.Options(config.maxQueuedJobs(), config.maxReplayProgressEvents()),
        resolver, store, runners, new EventDispatcher(listeners), Clock.systemUTC());
  }

  void close(@Disposes JobService service) {
    service.close();
    if (kafka != null) {
      kafka.close();
    }
  }
}
