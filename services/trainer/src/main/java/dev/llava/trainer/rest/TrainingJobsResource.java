package dev.llava.trainer.rest;

import dev.llava.proto.v1.Job;
import dev.llava.proto.v1.JobSpec;
import dev.llava.proto.v1.JobState;
import dev.llava.proto.v1.ListJobsResponse;
import dev.llava.trainer.jobs.JobService;
import dev.llava.trainer.jobs.JobServiceException;
import dev.llava.trainer.jobs.ProtoJson;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * REST mirror of the gRPC Training service. Bodies are the proto messages in protobuf's JSON mapping: POST takes a
 * {@code JobSpec} (lowerCamelCase or snake_case names) and answers 201 with the {@code Job}; GET lists
 * ({@code ListJobsResponse}, optional {@code ?state=running} or {@code ?state=JOB_STATE_RUNNING}) or gets one;
 * POST .../cancel cancels. Errors are {@code {"error": {"code", "status", "message", "problems"}}} with 400, 404,
 * 409, 429 (with Retry-After) or 503.
 */
@Path("/v1/training/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingJobsResource {
  private final JobService jobs;

  public TrainingJobsResource(JobService jobs) {
    this.jobs = jobs;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response submit(String body) {
    Job job = jobs.submit(ProtoJson.parse(body, JobSpec.newBuilder()).build());
    return Response.created(URI.create("/v1/training/jobs/" + job.getId())).entity(ProtoJson.print(job)).build();
  }

  @GET
  public String list(@QueryParam("state") String state) {
    return ProtoJson.print(ListJobsResponse.newBuilder().addAllJobs(jobs.list(state(state))).build());
  }

  @GET
  @Path("{id}")
  public String get(@PathParam("id") String id) {
    return ProtoJson.print(jobs.get(id));
  }

  @POST
  @Path("{id}/cancel")
  public String cancel(@PathParam("id") String id) {
    return ProtoJson.print(jobs.cancel(id));
  }

  /** "running", "RUNNING" or "JOB_STATE_RUNNING"; null (all jobs) when absent. */
  static JobState state(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    String name = raw.trim().toUpperCase(Locale.ROOT);
    String full = name.startsWith("JOB_STATE_") ? name : "JOB_STATE_" + name;
    List<String> valid = Arrays.stream(JobState.values())
        .filter(s -> s != JobState.UNRECOGNIZED && s != JobState.JOB_STATE_UNSPECIFIED)
        .map(s -> s.name().substring("JOB_STATE_".length()).toLowerCase(Locale.ROOT)).toList();
    try {
      JobState s = JobState.valueOf(full);
      if (s != JobState.UNRECOGNIZED && s != JobState.JOB_STATE_UNSPECIFIED) {
        return s;
      }
    } catch (IllegalArgumentException unknown) {
      // reported below
    }
    throw JobServiceException.invalid(List.of("state must be one of " + valid + ", got \"" + raw + "\""));
  }
}
