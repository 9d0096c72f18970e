package dev.llava.orchestrator.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.llava.orchestrator.config.OrchestratorConfig;
import dev.llava.proto.v1.Usage;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/** Emits one usage record per request to {@code llava.usage}, keyed by request id, as protobuf JSON. */
@ApplicationScoped
public class UsagePublisher {
  private final OrchestratorConfig config;
  private volatile KafkaProducer<String, String> producer;

  @Inject
  public UsagePublisher(OrchestratorConfig config) {
    this.config = config;
  }

  public Future<RecordMetadata> publish(String requestId, Usage usage) {
    String json;
    try {
      json = JsonFormat.printer().omittingInsignificantWhitespace().print(usage);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("usage record is not printable as JSON", e);
    }
    return producer().send(new ProducerRecord<>(config.kafka().usageTopic(), requestId, json));
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
    if (producer != null) {
      producer.close();
    }
  }
}
