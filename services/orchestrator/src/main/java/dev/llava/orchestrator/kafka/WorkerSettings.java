package dev.llava.orchestrator.kafka;

import dev.llava.orchestrator.config.OrchestratorConfig;
import java.time.Duration;

/** Everything the Kafka chat worker needs to know, separate from Quarkus so tests can run several workers. */
public record WorkerSettings(String bootstrapServers, String requestsTopic, String responsesTopic,
    String deadLetterTopic, String usageTopic, String groupId, String transactionalId, int maxPollRecords,
    int maxAttempts, Duration requestTimeout) {

  public static WorkerSettings from(OrchestratorConfig.Kafka kafka) {
    OrchestratorConfig.Kafka.Pipeline p = kafka.pipeline();
    return new WorkerSettings(kafka.bootstrapServers(), kafka.requestsTopic(), kafka.responsesTopic(),
        kafka.deadLetterTopic(), kafka.usageTopic(), p.groupId(), p.transactionalId(), p.maxPollRecords(),
        p.maxAttempts(), p.requestTimeout());
  }
}
