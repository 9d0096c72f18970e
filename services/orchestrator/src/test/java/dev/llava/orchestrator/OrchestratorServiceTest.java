package dev.llava.orchestrator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llava.orchestrator.kafka.UsagePublisher;
import dev.llava.proto.v1.ChatGrpc;
import dev.llava.proto.v1.ListModelsRequest;
import dev.llava.proto.v1.ListModelsResponse;
import dev.llava.proto.v1.Usage;
import dev.llava.orchestrator.testing.Clients;
import dev.llava.orchestrator.testing.TestBackendsResource;
import dev.llava.testing.KafkaTestResource;
import dev.llava.testing.MetricsSnapshot;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(TestBackendsResource.class)
class OrchestratorServiceTest {

  @Inject
  UsagePublisher usage;

  @Test
  void healthAndPrometheusMetricsAreServed() {
    given().get("/q/health/live").then().statusCode(200).body(containsString("UP"));
    given().get("/q/health/ready").then().statusCode(200);
    String metrics = given().get("/q/metrics").then().statusCode(200)
        .body(containsString("jvm_memory_used_bytes")).extract().asString();
    MetricsSnapshot.save(metrics);
  }

  @Test
  void listModelsAnswersOverARealGrpcChannel() throws Exception {
    ManagedChannel channel = Clients.grpc();
    try {
      ListModelsResponse models = ChatGrpc.newBlockingStub(channel).listModels(ListModelsRequest.getDefaultInstance());
      assertEquals("llava-demo", models.getModels(0).getModel().getName());
      assertEquals(4096, models.getModels(0).getMaxContextTokens());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void usageRecordsReachARealKafkaBroker() throws Exception {
    usage.publish("req-42", Usage.newBuilder().setPromptTokens(600).setImageTokens(576)
        .setCompletionTokens(8).setTotalTokens(608).build()).get(30, TimeUnit.SECONDS);
    Map<String, Object> config = Map.of(
        "bootstrap.servers", KafkaTestResource.broker().bootstrapServers(),
        "group.id", "usage-test",
        "auto.offset.reset", "earliest",
        "key.deserializer", StringDeserializer.class.getName(),
        "value.deserializer", StringDeserializer.class.getName());
    // other tests publish usage records too: look for this one by its key
    List<ConsumerRecord<String, String>> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of("llava.usage"));
      long deadline = System.currentTimeMillis() + 30_000;
      while (seen.isEmpty() && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
          if ("req-42".equals(r.key())) {
            seen.add(r);
          }
        });
      }
    }
    assertEquals(1, seen.size());
    assertEquals("{\"promptTokens\":600,\"imageTokens\":576,\"completionTokens\":8,\"totalTokens\":608}",
        seen.get(0).value());
  }
}
