package dev.llava.trainer.grpc;

import dev.llava.proto.v1.CancelJobRequest;
import dev.llava.proto.v1.GetJobRequest;
import dev.llava.proto.v1.Job;
import dev.llava.proto.v1.JobEvent;
import dev.llava.proto.v1.ListJobsRequest;
import dev.llava.proto.v1.ListJobsResponse;
import dev.llava.proto.v1.SubmitJobRequest;
import dev.llava.proto.v1.TrainingGrpc;
import dev.llava.proto.v1.WatchJobRequest;
import dev.llava.trainer.jobs.JobService;
import dev.llava.trainer.jobs.JobWatcher;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** gRPC adapter of the training job service: each RPC is one {@link JobService} call, refusals become statuses. */
@GrpcService
public class TrainingGrpcService extends TrainingGrpc.TrainingImplBase {
  private final JobService jobs;

  public TrainingGrpcService(JobService jobs) {
    this.jobs = jobs;
  }

  @Override
  @Blocking
  public void submitJob(SubmitJobRequest request, StreamObserver<Job> responses) {
    unary(responses, () -> jobs.submit(request.getSpec()));
  }

  @Override
  @Blocking
  public void getJob(GetJobRequest request, StreamObserver<Job> responses) {
    unary(responses, () -> jobs.get(request.getId()));
  }

  @Override
  @Blocking
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> responses) {
    unary(responses, () -> ListJobsResponse.newBuilder().addAllJobs(jobs.list(request.getState())).build());
  }

  @Override
  @Blocking
  public void cancelJob(CancelJobRequest request, StreamObserver<Job> responses) {
    unary(responses, () -> jobs.cancel(request.getId()));
  }

  /**
   * Replays the job's events, then streams live ones and completes after the one that finished the job. A client
   * that cancels its call is detached at once: by grpc-java's cancel handler, or on Quarkus' unified Vert.x server
   * (which does not report it, vert.x#5562) by the stream reset it causes ({@link StreamResetHook}).
   */
  @Override
  public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> responses) {
    AtomicReference<Runnable> detach = new AtomicReference<>();
    AtomicBoolean clientGone = new AtomicBoolean();
    ServerCallStreamObserver<JobEvent> call =
        responses instanceof ServerCallStreamObserver<JobEvent> c ? c : null;
    Runnable leave = () -> {
      clientGone.set(true);
      Runnable d = detach.get();
      if (d != null) {
        d.run();
      }
    };
    if (call != null) {
      call.setOnCancelHandler(leave);
    }
    StreamResetHook.register(responses, leave);
    try {
      detach.set(jobs.watch(request.getId(), new JobWatcher() {
        @Override
        public void onEvent(JobEvent event) {
          if (call != null && call.isCancelled()) {
            throw new IllegalStateException("the client cancelled the watch");   // detaches this watcher
          }
          responses.onNext(event);
        }

        @Override
        public void onEnd() {
          responses.onCompleted();
        }
      }));
      if (clientGone.get()) {
        detach.get().run();
      }
    } catch (RuntimeException e) {
      responses.onError(GrpcErrors.toStatus(e));
    }
  }

  private static <T> void unary(StreamObserver<T> responses, Supplier<T> call) {
    T answer;
    try {
      answer = call.get();
    } catch (RuntimeException e) {
      responses.onError(GrpcErrors.toStatus(e));
      return;
    }
    responses.onNext(answer);
    responses.onCompleted();
  }
}
