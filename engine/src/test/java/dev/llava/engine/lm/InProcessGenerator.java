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

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    engine.close();
  }
}
