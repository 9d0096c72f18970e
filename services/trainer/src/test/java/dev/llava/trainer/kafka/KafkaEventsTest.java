package dev.llava.trainer.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llava.proto.v1.Job;
import dev.llava.proto.v1.JobEvent;
import dev.llava.proto.v1.JobSpec;
import dev.llava.proto.v1.JobState;
import dev.llava.trainer.TestData;
import dev.llava.trainer.jobs.JobService;
import dev.llava.trainer.jobs.ProtoJson;
import dev.llava.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServerTestResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** A job's events and its model announcement on the real KRaft broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(KubernetesServerTestResource.class)
class KafkaEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject JobService jobs;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Test
  void everyEventOfAJobReachesTheEventsTopicInOrderKeyedByJobId() throws Exception {
    Job job = jobs.submit(JobSpec.newBuilder().setRecipe("demo").setDataPath(TestData.trainJson().toString())
        .setGlobalBatchSize(2).setEpochs(1).setModelName("kafka-demo").build());

    List<JobEvent> onTopic = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = consumer()) {
      consumer.subscribe(List.of("llava.training.events"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!ended(onTopic) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key().equals(job.getId())) {
            onTopic.add(ProtoJson.parse(r.value(), JobEvent.newBuilder()).build());
          }
        }
      }
    }
    assertEquals(jobs.record(job.getId()).events(), onTopic, "the topic holds exactly the job's events, in order");
    assertEquals(10, onTopic.size());
  }

  @Test
  void aPublishedCheckpointIsAnnouncedOnTheCompactedModelsTopic() throws Exception {
    Job job = jobs.submit(JobSpec.newBuilder().setRecipe("demo").setDataPath(TestData.trainJson().toString())
        .setGlobalBatchSize(2).setEpochs(1).setMaxSteps(2).setModelName("registry-demo").build());

    JsonNode announced = null;
    try (KafkaConsumer<String, String> consumer = consumer()) {
      consumer.subscribe(List.of("llava.models"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (announced == null && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          JsonNode value = JSON.readTree(r.value());
          if (r.key().equals("registry-demo") && value.get("job_id").asText().equals(job.getId())) {
            announced = value;
          }
        }
      }
    }
    assertTrue(announced != null, "no llava.models record for job " + job.getId());
    JobEvent checkpoint = jobs.record(job.getId()).events().stream()
        .filter(e -> e.getKind() == JobEvent.Kind.CHECKPOINT_PUBLISHED).findFirst().orElseThrow();
    assertEquals(Set.of("name", "revision", "checkpoint_dir", "job_id", "created"), fieldNames(announced));
    assertEquals("registry-demo", announced.get("name").asText());
    assertEquals(checkpoint.getModel().getRevision(), announced.get("revision").asText());
    assertTrue(announced.get("revision").asText().matches("[0-9a-f]{16}"));
    assertEquals(jobs.get(job.getId()).getCheckpointDir(), announced.get("checkpoint_dir").asText());
    assertEquals(Instant.ofEpochMilli(checkpoint.getTimeMs()), Instant.parse(announced.get("created").asText()));

    try (Admin admin = Admin.create(adminProps())) {
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "llava.models");
      Config config = admin.describeConfigs(List.of(topic)).all().get(15, TimeUnit.SECONDS).get(topic);
      assertEquals("compact", config.get("cleanup.policy").value(), "the trainer created llava.models compacted");
    }
  }

  private static boolean ended(List<JobEvent> events) {
    return !events.isEmpty() && events.get(events.size() - 1).getKind() == JobEvent.Kind.STATE_CHANGED
        && events.get(events.size() - 1).getState() == JobState.JOB_STATE_SUCCEEDED;
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new java.util.TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private KafkaConsumer<String, String> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "kafka-events-test-" + System.nanoTime());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return new KafkaConsumer<>(p);
  }

  private Properties adminProps() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return p;
  }
}
