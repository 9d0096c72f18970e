package dev.llava.trainer.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llava.proto.v1.Job;
import dev.llava.proto.v1.JobEvent;
import dev.llava.proto.v1.TrainingGrpc;
import dev.llava.proto.v1.WatchJobRequest;
import dev.llava.trainer.jobs.JobsFixture;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC adapter detaches a watcher as soon as the transport reports that the client cancelled. Served here by
 * grpc-java's own (Netty) server, which reports it; Quarkus' unified Vert.x server does not yet (vert.x#5562).
 */
class WatchCancellationTest {
  @TempDir Path tmp;

  @Test
  void aClientCancellingItsWatchIsDetachedAtOnce() throws Exception {
    try (JobsFixture jobs = new JobsFixture(tmp, 10, 2)) {
      Server server = ServerBuilder.forPort(0).addService(new TrainingGrpcService(jobs.service)).build().start();
      ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", server.getPort()).usePlaintext().build();
      try {
        Job job = jobs.service.submit(jobs.demoSpec().setMaxSteps(100000).build());
        Context.CancellableContext context = Context.current().withCancellation();
        Iterator<JobEvent> events = context.call(() -> TrainingGrpc.newBlockingStub(channel)
            .watchJob(WatchJobRequest.newBuilder().setId(job.getId()).build()));
        for (int progress = 0; progress < 3; ) {
          progress += events.next().getKind() == JobEvent.Kind.PROGRESS ? 1 : 0;
        }
        assertEquals(1, jobs.service.record(job.getId()).watcherCount());

        context.cancel(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> jobs.service.record(job.getId()).watcherCount() == 0);
        jobs.service.cancel(job.getId());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
