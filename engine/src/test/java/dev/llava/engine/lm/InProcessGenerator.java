package dev.llava.engine.lm;

import dev.llava.proto.v1.GeneratorGrpc;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** An engine behind the gRPC adapter on an in-process server, and a channel to it. */
final class InProcessGenerator implements AutoCloseable {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final GenerationEngine engine;
  final Server server;
  final ManagedChannel channel;

  InProcessGenerator(Path checkpoint, LmEngineConfig config) throws IOException {
    this(checkpoint, config, Duration.ZERO);
  }

  /**
   * @param pacePerChunk how long every streamed chunk holds the scheduler thread (it sends the chunk), so a test
   *     request of N tokens lasts at least N times this however fast the fixture decodes; zero for full speed
   */
  InProcessGenerator(Path checkpoint, LmEngineConfig config, Duration pacePerChunk) throws IOException {
    engine = GenerationEngine.load(checkpoint, config, registry);
    String name = InProcessServerBuilder.generateName();
    var service = ServerInterceptors.intercept(new GeneratorGrpcAdapter(engine), pacing(pacePerChunk));
    server = InProcessServerBuilder.forName(name).addService(service).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  private static ServerInterceptor pacing(Duration pace) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        return next.startCall(pace.isZero() ? call : new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendMessage(R message) {
            sleep(pace);
            super.sendMessage(message);
          }
        }, headers);
      }
    };
  }

  static void sleep(Duration pace) {
    try {
      Thread.sleep(pace.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
