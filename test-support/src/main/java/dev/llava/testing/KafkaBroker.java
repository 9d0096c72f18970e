package dev.llava.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker in KRaft mode (broker + controller in one process), started from the
 * Kafka jars: no Docker, no ZooKeeper. Used by tests and by {@code bin/llava up}.
 *
 * <p>Transactions work (replication factor 1, min ISR 1), so exactly-once pipelines can be tested.
 */
public final class KafkaBroker implements AutoCloseable {
  private final Path dataDir;
  private final boolean deleteOnClose;
  private final int port;
  private final KafkaRaftServer server;

  private KafkaBroker(Path dataDir, boolean deleteOnClose, int port, KafkaRaftServer server) {
    this.dataDir = dataDir;
    this.deleteOnClose = deleteOnClose;
    this.port = port;
    this.server = server;
  }

  /** Starts a broker on a free port with a fresh temporary data directory. */
  public static KafkaBroker startOnFreePort() {
    try {
      return start(freePort(), Files.createTempDirectory("llava-kafka-"), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a broker listening on {@code localhost:port}, keeping its log in {@code dataDir} (formatted on
   * first use, reused afterwards).
   */
  public static KafkaBroker start(int port, Path dataDir, boolean deleteOnClose) {
    try {
      int controllerPort = freePort();
      Path logDir = dataDir.resolve("log");
      Files.createDirectories(logDir);
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", "1");
      props.put("controller.quorum.voters", "1@localhost:" + controllerPort);
      props.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
      props.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
      props.put("controller.listener.names", "CONTROLLER");
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("log.dirs", logDir.toString());
      props.put("num.partitions", "1");
      props.put("auto.create.topics.enable", "true");
      props.put("offsets.topic.replication.factor", "1");
      props.put("offsets.topic.num.partitions", "1");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("transaction.state.log.num.partitions", "1");
      props.put("group.initial.rebalance.delay.ms", "0");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      props.put("log.flush.interval.messages", "1");

      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(props, dataDir);
      }
      KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
      server.startup();
      return new KafkaBroker(dataDir, deleteOnClose, port, server);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void format(Properties props, Path dataDir) throws IOException {
    Path config = dataDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(config)) {
      props.store(out, "llava embedded KRaft broker");
    }
    String clusterId = Uuid.randomUuid().toString();
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    int rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", config.toString()}, quiet);
    if (rc != 0) {
      throw new IllegalStateException("kafka storage format failed with exit code " + rc + " for " + config);
    }
  }

  public String bootstrapServers() {
    return "localhost:" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    if (deleteOnClose) {
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a leftover temp directory is harmless
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /** {@code java dev.llava.testing.KafkaBroker PORT DATA_DIR}: runs a broker until the process is stopped. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9092;
    Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("llava-kafka-");
    KafkaBroker broker = start(port, dir, false);
    System.out.println("kafka ready on " + broker.bootstrapServers() + " (data " + dir + ")");
    Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-shutdown"));
    Thread.currentThread().join();
  }
}
