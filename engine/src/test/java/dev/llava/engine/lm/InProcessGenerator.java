package dev.llava.engine.lm;

import dev.llava.proto.v1.GeneratorGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** An engine behind the gRPC adapter on an in-process server, and a channel to it. */
final class InProcessGenerator implements AutoCloseable {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final GenerationEngine engine;
  final Server server;
  final ManagedChannel channel;

  InProcessGenerator(Path checkpoint, LmEngineConfig config) throws IOException {
    engine = GenerationEngine.load(checkpoint, config, registry);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(new GeneratorGrpcAdapter(engine)).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  GeneratorGrpc.GeneratorStub async() {
    return GeneratorGrpc.newStub(channel);
  }

  GeneratorGrpc.GeneratorBlockingStub blocking() {
    return GeneratorGrpc.newBlockingStub(channel);
  }

  /**
   * Waits until the batch is empty: a client sees its last chunk during the scheduler iteration in which the
   * sequence finished, and the slot is released at the end of that iteration.
   */
  void awaitIdle() throws InterruptedException {
    ContinuousBatcher b = engine.batcher();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (b.running() != 0 || b.waiting() != 0 || b.kvTokensInUse() != 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("batch not idle: running " + b.running() + ", waiting " + b.waiting()
            + ", KV tokens " + b.kvTokensInUse());
      }
      Thread.sleep(2);
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    engine.close();
  }
}
