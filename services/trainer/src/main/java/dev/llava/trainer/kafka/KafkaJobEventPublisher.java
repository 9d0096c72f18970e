package dev.llava.trainer.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.proto.v1.JobEvent;
import dev.llava.trainer.jobs.JobEventListener;
import dev.llava.trainer.jobs.ProtoJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes every job event to {@code llava.training.events} (protobuf JSON, key = job id, so one job's events
 * stay in order on one partition) and, for each CHECKPOINT_PUBLISHED, the model's registry entry to the compacted
 * {@code llava.models} (key = model name, value {@code {"name", "revision", "checkpoint_dir", "job_id",
 * "created"}}, created as an ISO-8601 instant). The producer is idempotent with acks=all, so retries neither
 * duplicate nor reorder records.
 */
public final class KafkaJobEventPublisher implements JobEventListener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KafkaJobEventPublisher.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KafkaProducer<String, String> producer;
  private final String eventsTopic;
  private final String modelsTopic;

  public KafkaJobEventPublisher(String bootstrapServers, String eventsTopic, String modelsTopic) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "llava-trainer");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // A send blocks the event thread at most this long when the broker is away (the producer buffers meanwhile).
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    this.producer = new KafkaProducer<>(p);
    this.eventsTopic = eventsTopic;
    this.modelsTopic = modelsTopic;
  }

  /**
   * Creates the two topics when missing: the events with the broker's defaults, the registry compacted (a topic
   * auto-created by a first send would not be). Best effort: a cluster whose topics are managed elsewhere (Strimzi
   * KafkaTopic) may refuse, which is logged.
   */
  public static void createTopics(String bootstrapServers, String eventsTopic, String modelsTopic) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    try (Admin admin = Admin.create(p)) {
      Set<String> existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
      List<NewTopic> missing = List.of(
          new NewTopic(eventsTopic, Optional.empty(), Optional.empty()),
          new NewTopic(modelsTopic, Optional.empty(), Optional.empty())
              .configs(Map.of("cleanup.policy", "compact")))
          .stream().filter(t -> !existing.contains(t.name())).toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(15, TimeUnit.SECONDS);
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        LOG.log(Level.WARNING, "could not create topics " + eventsTopic + ", " + modelsTopic, e.getCause());
      }
    } catch (Exception e) {
      LOG.log(Level.WARNING, "could not create topics " + eventsTopic + ", " + modelsTopic, e);
    }
  }

  @Override
  public void onEvent(JobEvent event) {
    send(eventsTopic, event.getJobId(), ProtoJson.print(event));
    if (event.getKind() == JobEvent.Kind.CHECKPOINT_PUBLISHED && !event.getModel().getName().isEmpty()) {
      send(modelsTopic, event.getModel().getName(), modelRecord(event));
    }
  }

  /** The llava.models value announcing {@code event}'s checkpoint. */
  public static String modelRecord(JobEvent event) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", event.getModel().getName());
    n.put("revision", event.getModel().getRevision());
    n.put("checkpoint_dir", event.getCheckpointDir());
    n.put("job_id", event.getJobId());
    n.put("created", Instant.ofEpochMilli(event.getTimeMs()).toString());
    return n.toString();
  }

  private void send(String topic, String key, String value) {
    producer.send(new ProducerRecord<>(topic, key, value), (metadata, failure) -> {
      if (failure != null) {
        LOG.log(Level.WARNING, "could not publish to " + topic + " (key " + key + ")", failure);
      }
    });
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
