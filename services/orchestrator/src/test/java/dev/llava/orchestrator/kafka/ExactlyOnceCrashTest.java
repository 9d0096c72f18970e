package dev.llava.orchestrator.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.orchestrator.testing.KafkaTestClients;
import dev.llava.orchestrator.testing.TestBackendsResource;
import dev.llava.proto.v1.ChatResponse;
import dev.llava.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A worker dies after writing a batch's responses, usage and offsets into its transaction but before
 * committing; a restarted worker with the same transactional id redoes the batch. read_committed readers
 * see every response exactly once; read_uncommitted readers see the dead worker's aborted copies too, which
 * proves the crash really happened after the writes.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(TestBackendsResource.class)
class ExactlyOnceCrashTest {
  static final WorkerSettings SETTINGS = new WorkerSettings(KafkaTestResource.broker().bootstrapServers(),
      "eos.requests", "eos.responses", "eos.dlq", "eos.usage", "eos-group", "eos-worker-0", 8, 3,
      Duration.ofSeconds(30));

  @Inject
  KafkaChatPipeline kafka;

  @Test
  void aCrashBeforeCommitNeitherLosesNorDuplicatesResponses() throws Exception {
    Map<String, String> requests = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      requests.put("eos-" + i, ProtoJson.print(KafkaChatPipelineTest.request("number " + i)));
    }
    KafkaTestClients.produce(SETTINGS.requestsTopic(), requests);

    AtomicInteger crashedBatchSize = new AtomicInteger();
    ChatRequestWorker doomed = new ChatRequestWorker(SETTINGS, kafka.processor(), batch -> {
      crashedBatchSize.set(batch.size());
      throw new ChatRequestWorker.Crash("killed between produce and commit");
    });
    Thread first = new Thread(doomed, "doomed-worker");
    first.start();
    first.join(60_000);
    assertTrue(doomed.crashed(), "the first worker died in its transaction");
    assertTrue(crashedBatchSize.get() >= 1);

    ChatRequestWorker successor = new ChatRequestWorker(SETTINGS, kafka.processor(), ChatRequestWorker.CommitHook.NONE);
    Thread second = new Thread(successor, "successor-worker");
    second.start();
    try {
      List<ConsumerRecord<String, String>> committed = KafkaTestClients.read(SETTINGS.responsesTopic(),
          "read_committed", KafkaTestClients.hasKeys(requests.keySet()), Duration.ofSeconds(60), Duration.ofSeconds(2));
      Map<String, Long> perKey = committed.stream()
          .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
      assertEquals(requests.keySet(), perKey.keySet());
      perKey.forEach((key, n) -> assertEquals(1L, n, "exactly one committed response for " + key));
      for (ConsumerRecord<String, String> r : committed) {
        ChatResponse response = ProtoJson.parse(r.value(), ChatResponse.newBuilder()).build();
        assertEquals("I see 0 image(s). You said: number " + r.key().substring(4), response.getText());
      }

      List<ConsumerRecord<String, String>> everything = KafkaTestClients.read(SETTINGS.responsesTopic(),
          "read_uncommitted", records -> records.size() >= 5 + crashedBatchSize.get(), Duration.ofSeconds(10),
          Duration.ZERO);
      assertEquals(5 + crashedBatchSize.get(), everything.size(),
          "the aborted attempt's records are in the log, invisible to read_committed");

      List<ConsumerRecord<String, String>> usage = KafkaTestClients.read(SETTINGS.usageTopic(), "read_committed",
          KafkaTestClients.hasKeys(requests.keySet()), Duration.ofSeconds(30), Duration.ofSeconds(1));
      assertEquals(5, usage.size(), "one usage record per request");
    } finally {
      successor.stop();
      second.join(30_000);
    }
  }
}
