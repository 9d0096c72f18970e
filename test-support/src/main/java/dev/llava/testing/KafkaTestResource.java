package dev.llava.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts one real KRaft broker per test JVM (restarts cost seconds; topics are per test anyway) and points
 * Quarkus at it through {@code kafka.bootstrap.servers}. Use with
 * {@code @QuarkusTestResource(KafkaTestResource.class)}.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
  private static KafkaBroker broker;

  /** The broker shared by this JVM's tests, started on first use. */
  public static synchronized KafkaBroker broker() {
    if (broker == null) {
      broker = KafkaBroker.startOnFreePort();
      Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-test-shutdown"));
    }
    return broker;
  }

  @Override
  public Map<String, String> start() {
    return Map.of("kafka.bootstrap.servers", broker().bootstrapServers());
  }

  @Override
  public void stop() {
    // The broker outlives a single test class; the shutdown hook stops it with the JVM.
  }
}
