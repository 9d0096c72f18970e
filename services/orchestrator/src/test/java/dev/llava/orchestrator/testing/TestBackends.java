package dev.llava.orchestrator.testing;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Two scripted vision-encoder replicas and two scripted projector-lm replicas, each a real grpc-java server on
 * a free localhost port, started once per test JVM. Tests script failures through the public fields and call
 * {@link #reset()} when done.
 */
public final class TestBackends {
  public static final FailureScript ENCODE_FAILURES = new FailureScript();
  public static final FailureScript GENERATE_FAILURES = new FailureScript();
  public static final List<ScriptedVisionEncoder> ENCODERS = List.of(
      new ScriptedVisionEncoder("encoder-a", ENCODE_FAILURES), new ScriptedVisionEncoder("encoder-b", ENCODE_FAILURES));
  public static final List<ScriptedGenerator> GENERATORS = List.of(
      new ScriptedGenerator("generator-a", GENERATE_FAILURES), new ScriptedGenerator("generator-b", GENERATE_FAILURES));

  private static List<String> encoderAddresses;
  private static List<String> generatorAddresses;
  private static final List<Server> SERVERS = new ArrayList<>();

  private TestBackends() {}

  public static synchronized void start() {
    if (encoderAddresses != null) {
      return;
    }
    List<String> enc = new ArrayList<>();
    for (ScriptedVisionEncoder e : ENCODERS) {
      enc.add("localhost:" + serve(e));
    }
    List<String> gen = new ArrayList<>();
    for (ScriptedGenerator g : GENERATORS) {
      gen.add("localhost:" + serve(g));
    }
    encoderAddresses = enc;
    generatorAddresses = gen;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> SERVERS.forEach(Server::shutdownNow), "test-backends-stop"));
  }

  private static int serve(io.grpc.BindableService service) {
    try {
      Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
          .addService(service).maxInboundMessageSize(64 * 1024 * 1024).build().start();
      SERVERS.add(server);
      return server.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<String> encoderAddresses() {
    start();
    return encoderAddresses;
  }

  public static List<String> generatorAddresses() {
    start();
    return generatorAddresses;
  }

  public static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  public static ScriptedVisionEncoder encoderAt(String address) {
    return ENCODERS.get(encoderAddresses().indexOf(address));
  }

  public static ScriptedGenerator generatorAt(String address) {
    return GENERATORS.get(generatorAddresses().indexOf(address));
  }

  public static int encodeCalls() {
    return ENCODERS.stream().mapToInt(e -> e.calls.get()).sum();
  }

  public static int generateCalls() {
    return GENERATORS.stream().mapToInt(g -> g.calls.get()).sum();
  }

  public static int cancellations() {
    return GENERATORS.stream().mapToInt(g -> g.cancellations.get()).sum();
  }

  public static void reset() {
    ENCODE_FAILURES.reset();
    GENERATE_FAILURES.reset();
    ENCODERS.forEach(ScriptedVisionEncoder::reset);
    GENERATORS.forEach(ScriptedGenerator::reset);
  }
}
