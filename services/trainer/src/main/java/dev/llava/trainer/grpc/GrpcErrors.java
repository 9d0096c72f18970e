package dev.llava.trainer.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import dev.llava.proto.v1.JobSpec;
import dev.llava.trainer.jobs.JobServiceException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * Maps job service refusals to gRPC statuses. INVALID_ARGUMENT carries a {@code google.rpc.BadRequest} detail with
 * one field violation per problem (field = the JobSpec field the problem starts with), besides the message naming
 * them all.
 */
final class GrpcErrors {
  private GrpcErrors() {}

  static StatusRuntimeException toStatus(Throwable t) {
    if (!(t instanceof JobServiceException e)) {
      return Status.INTERNAL.withDescription("trainer error: " + t).withCause(t).asRuntimeException();
    }
    Code code = switch (e.reason()) {
      case INVALID_ARGUMENT -> Code.INVALID_ARGUMENT;
      case NOT_FOUND -> Code.NOT_FOUND;
      case FAILED_PRECONDITION -> Code.FAILED_PRECONDITION;
      case RESOURCE_EXHAUSTED -> Code.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> Code.UNAVAILABLE;
    };
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code.getNumber())
        .setMessage(e.getMessage());
    if (!e.problems().isEmpty()) {
      BadRequest.Builder bad = BadRequest.newBuilder();
      for (String problem : e.problems()) {
        bad.addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(fieldOf(problem))
            .setDescription(problem));
      }
      status.addDetails(Any.pack(bad.build()));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  /** "data_path ../x escapes ..." -> "spec.data_path"; a problem not about one field -> "spec". */
  static String fieldOf(String problem) {
    String first = problem.split("[ (]", 2)[0];
    return JobSpec.getDescriptor().findFieldByName(first) != null ? "spec." + first : "spec";
  }
}
