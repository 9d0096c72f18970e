package dev.llava.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code bin/llava up}: the whole platform on localhost — a KRaft Kafka broker and the four services as separate
 * processes, serving one checkpoint (the bundled demo model unless {@code --model} names another). Waits until
 * everything is ready, prints the URLs, and stops every process on Ctrl-C.
 */
final class UpCommand {
  private UpCommand() {}

  static int run(String[] argv, PrintStream out) throws Exception {
    Args a = new Args("up", argv, 0, Set.of("model", "model-name", "kafka-port", "orchestrator-port",
        "vision-port", "lm-port", "trainer-port", "logs", "timeout-seconds", "api-key"), Set.of("no-build"));
    Path home = LlavaHome.root();
    Path model = a.get("model", null) != null ? a.existingDir("model") : DemoModel.ensure(home, out);
    String modelName = a.get("model-name", a.get("model", null) == null ? "llava-demo" : model.getFileName().toString());
    int kafkaPort = a.intValue("kafka-port", 9092);
    int orchestratorPort = a.intValue("orchestrator-port", 8080);
    int visionPort = a.intValue("vision-port", 8081);
    int lmPort = a.intValue("lm-port", 8082);
    int trainerPort = a.intValue("trainer-port", 8083);
    Path logs = Path.of(a.get("logs", home.resolve(".llava/logs").toString())).toAbsolutePath();
    Duration timeout = Duration.ofSeconds(a.intValue("timeout-seconds", 600));
    for (int[] p : new int[][] {{kafkaPort}, {orchestratorPort}, {visionPort}, {lmPort}, {trainerPort}}) {
      if (!ManagedProcess.portFree(p[0])) {
        throw new CliException("port " + p[0] + " is in use (another 'llava up'?); choose others with "
            + "--kafka-port/--orchestrator-port/--vision-port/--lm-port/--trainer-port");
      }
    }
    if (!a.flag("no-build")) {
      LlavaHome.buildServicesIfStale(home, out);
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    String bootstrap = "localhost:" + kafkaPort;
    String abs = model.toAbsolutePath().toString();
    List<ManagedProcess> processes = new ArrayList<>();
    processes.add(new ManagedProcess("kafka", kafkaPort, logs.resolve("kafka.log"), List.of(java,
        "-cp", System.getProperty("java.class.path"), "dev.llava.testing.KafkaBroker", Integer.toString(kafkaPort),
        home.resolve(".llava/kafka").toString()), null));
    processes.add(service(java, home, logs, "vision-encoder", visionPort, bootstrap,
        "-Dllava.vision.model-dir=" + abs, "-Dllava.vision.model-name=" + modelName));
    processes.add(service(java, home, logs, "projector-lm", lmPort, bootstrap,
        "-Dllava.lm.model-dir=" + abs, "-Dllava.lm.model-name=" + modelName));
    processes.add(service(java, home, logs, "trainer", trainerPort, bootstrap,
        "-Dllava.trainer.work-dir=" + home.resolve(".llava/jobs")));
    processes.add(service(java, home, logs, "orchestrator", orchestratorPort, bootstrap,
        "-Dllava.orchestrator.models[0].name=" + modelName,
        "-Dllava.orchestrator.vision-encoders=localhost:" + visionPort,
        "-Dllava.orchestrator.generators=localhost:" + lmPort,
        "-Dllava.orchestrator.kafka.pipeline.enabled=true",
        "-Dllava.orchestrator.auth.api-keys=" + a.get("api-key", "")));

    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    Thread shutdown = new Thread(() -> {
      stopping.set(true); // processes exiting from here on are ours, not failures
      out.println();
      out.println("stopping...");
      for (int i = processes.size() - 1; i >= 0; i--) {
        processes.get(i).stop();
      }
      out.println("all processes stopped");
      stopped.countDown();
    }, "llava-up-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);

    out.println("model: " + abs + " (served as '" + modelName + "')");
    out.println("logs:  " + logs);
    for (ManagedProcess p : processes) {
      out.printf("starting %-15s port %d, log %s%n", p.name, p.port, p.log);
      p.start(home);
      if (p.name.equals("kafka")) {
        p.awaitReady(Duration.ofMinutes(2)); // services connect to it at start
      }
    }
    for (ManagedProcess p : processes) {
      p.awaitReady(timeout);
      out.printf("ready    %-15s%n", p.name);
    }
    out.println();
    out.println("LLaVA platform is up:");
    out.println("  playground + OpenAI-compatible API  http://localhost:" + orchestratorPort + "/");
    out.println("  chat completions                    http://localhost:" + orchestratorPort + "/v1/chat/completions");
    out.println("  public gRPC (Chat)                  localhost:" + orchestratorPort);
    out.println("  vision-encoder                      http://localhost:" + visionPort + "/q/health");
    out.println("  projector-lm                        http://localhost:" + lmPort + "/q/health");
    out.println("  trainer                             http://localhost:" + trainerPort + "/q/health");
    out.println("  kafka                               " + bootstrap);
    out.println("Try: bin/llava chat --image <file> \"What color is the circle?\"   (Ctrl-C stops everything)");
    // Stay up until a process dies (report it) or Ctrl-C runs the shutdown hook.
    while (true) {
      for (ManagedProcess p : processes) {
        if (!p.alive() && !stopping.get()) {
          out.println(p.name + " stopped unexpectedly; see " + p.log);
          return 1; // the shutdown hook stops the others
        }
      }
      if (stopping.get()) {
        stopped.await();
        return 0;
      }
      Thread.sleep(1000);
    }
  }

  private static ManagedProcess service(String java, Path home, Path logs, String name, int port, String bootstrap,
      String... properties) {
    List<String> cmd = new ArrayList<>(List.of(java, "-Xss4m", "-Dai.djl.offline=true",
        "-Dquarkus.http.port=" + port, "-Dkafka.bootstrap.servers=" + bootstrap));
    cmd.addAll(List.of(properties));
    cmd.addAll(List.of("-jar", LlavaHome.serviceJar(home, name).toString()));
    return new ManagedProcess(name, port, logs.resolve(name + ".log"), cmd, "/q/health/ready");
  }
}
