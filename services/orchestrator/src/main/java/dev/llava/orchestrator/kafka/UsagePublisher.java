package dev.llava.orchestrator.kafka;

import dev.llava.orchestrator.config.OrchestratorConfig;
import dev.llava.proto.v1.Usage;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Emits one usage record per gRPC/REST request to {@code llava.usage}, keyed by request id, as protobuf
 * JSON. (The Kafka pipeline writes its usage records inside its own transactions instead.)
 */
@ApplicationScoped
public class UsagePublisher {
  private static final Logger LOG = Logger.getLogger(UsagePublisher.class);
  private final OrchestratorConfig config;
  /** One sender thread and at most 10 000 waiting records: with Kafka down, usage is dropped, not hoarded. */
  private final ExecutorService sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
      new ArrayBlockingQueue<>(10_000), r -> {
        Thread t = new Thread(r, "usage-publisher");
        t.setDaemon(true);
        return t;
      }, (task, pool) -> LOG.warn("usage record dropped: the publish queue is full (is Kafka reachable?)"));
  private volatile KafkaProducer<String, String> producer;

  @Inject
  public UsagePublisher(OrchestratorConfig config) {
    this.config = config;
  }

  public Future<RecordMetadata> publish(String requestId, Usage usage) {
    return producer().send(new ProducerRecord<>(config.kafka().usageTopic(), requestId, ProtoJson.print(usage)));
  }

  /**
   * Publishes off the caller's thread (a slow or absent broker must not stall a response) and logs instead of
   * failing: usage accounting is best effort on the synchronous APIs.
   */
  public void publishQuietly(String requestId, Usage usage) {
    if (!config.kafka().usageEnabled()) {
      return;
    }
    sender.execute(() -> {
      try {
        publish(requestId, usage);
      } catch (RuntimeException e) {
        LOG.warnf("usage record for %s not published: %s", requestId, e.toString());
      }
    });
  }

  private KafkaProducer<String, String> producer() {
    KafkaProducer<String, String> p = producer;
    if (p == null) {
      synchronized (this) {
        if (producer == null) {
          producer = new KafkaProducer<>(Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers(),
              ProducerConfig.ACKS_CONFIG, "all",
              ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
              ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
              ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
              ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
        }
        p = producer;
      }
    }
    return p;
  }

  @PreDestroy
  void close() {
    sender.shutdown();
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }
}
