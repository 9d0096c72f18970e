package dev.llava.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

  @Test
  void transactionalRecordsRoundTripToReadCommittedConsumer() throws Exception {
    KafkaBroker broker = KafkaTestResource.broker();
    Map<String, Object> producerConfig = Map.of(
        "bootstrap.servers", broker.bootstrapServers(),
        "transactional.id", "kafka-broker-test",
        "key.serializer", StringSerializer.class.getName(),
        "value.serializer", StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("broker-test", "k1", "committed"));
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("broker-test", "k2", "aborted"));
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("broker-test", "k3", "committed-too"));
      producer.commitTransaction();
    }
    Map<String, Object> consumerConfig = Map.of(
        "bootstrap.servers", broker.bootstrapServers(),
        "group.id", "kafka-broker-test",
        "auto.offset.reset", "earliest",
        "isolation.level", "read_committed",
        "key.deserializer", StringDeserializer.class.getName(),
        "value.deserializer", StringDeserializer.class.getName());
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
      consumer.subscribe(List.of("broker-test"));
      long deadline = System.currentTimeMillis() + 30_000;
      while (values.size() < 2 && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    assertEquals(List.of("committed", "committed-too"), values);
  }
}
