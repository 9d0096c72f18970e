package dev.llava.trainer.jobs;

import java.util.List;

/**
 * A request the job service refuses, with the reason that decides the gRPC status and HTTP code
 * (INVALID_ARGUMENT 400, NOT_FOUND 404, FAILED_PRECONDITION 409, RESOURCE_EXHAUSTED 429, UNAVAILABLE 503).
 */
public final class JobServiceException extends RuntimeException {

  public enum Reason { INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, UNAVAILABLE }

  private final Reason reason;
  private final List<String> problems;

  public JobServiceException(Reason reason, String message) {
    this(reason, message, List.of());
  }

  private JobServiceException(Reason reason, String message, List<String> problems) {
    super(message);
    this.reason = reason;
    this.problems = List.copyOf(problems);
  }

  /** INVALID_ARGUMENT naming every problem of a spec. */
  public static JobServiceException invalid(List<String> problems) {
    return new JobServiceException(Reason.INVALID_ARGUMENT,
        "invalid job spec (" + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "): "
            + String.join("; ", problems), problems);
  }

  public Reason reason() {
    return reason;
  }

  /** For INVALID_ARGUMENT: each problem on its own; empty otherwise. */
  public List<String> problems() {
    return problems;
  }
}
