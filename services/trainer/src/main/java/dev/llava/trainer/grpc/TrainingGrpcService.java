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
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;

/** gRPC adapter of the training job service. */
@GrpcService
public class TrainingGrpcService extends TrainingGrpc.TrainingImplBase {

  private static <T> void unimplemented(String rpc, StreamObserver<T> responses) {
    responses.onError(Status.UNIMPLEMENTED
        .withDescription("Training." + rpc + " is not implemented yet (trainer issue)")
        .asRuntimeException());
  }

  @Override
  public void submitJob(SubmitJobRequest request, StreamObserver<Job> responses) {
    unimplemented("SubmitJob", responses);
  }

  @Override
  public void getJob(GetJobRequest request, StreamObserver<Job> responses) {
    unimplemented("GetJob", responses);
  }

  @Override
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> responses) {
    unimplemented("ListJobs", responses);
  }

  @Override
  public void cancelJob(CancelJobRequest request, StreamObserver<Job> responses) {
    unimplemented("CancelJob", responses);
  }

  @Override
  public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> responses) {
    unimplemented("WatchJob", responses);
  }
}
