package dev.llava.orchestrator.routing;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.llava.orchestrator.config.OrchestratorConfig;
import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.EncodeRequest;
import dev.llava.proto.v1.EncodeResponse;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.GenerateResponse;
import dev.llava.proto.v1.GeneratorGrpc;
import dev.llava.proto.v1.VisionEncoderGrpc;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The one place that talks to the backends: owns the channels (through the two endpoint pools), applies a
 * deadline to every call, retries on another replica when one answers UNAVAILABLE (Encode and CountTokens
 * always, Generate only before its first chunk), feeds the circuit breakers and maps backend statuses.
 */
@ApplicationScoped
public class BackendClient {
  private static final Logger LOG = Logger.getLogger(BackendClient.class);
  static final int MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

  private final OrchestratorConfig config;
  private final EndpointPool encoders;
  private final EndpointPool generators;

  @Inject
  public BackendClient(OrchestratorConfig config) {
    this.config = config;
    long coolDown = config.circuitBreaker().coolDown().toNanos();
    int threshold = config.circuitBreaker().failureThreshold();
    this.encoders = new EndpointPool("vision-encoder", BackendClient::channel,
        () -> new CircuitBreaker(threshold, coolDown, System::nanoTime));
    this.generators = new EndpointPool("projector-lm", BackendClient::channel,
        () -> new CircuitBreaker(threshold, coolDown, System::nanoTime));
  }

  static ManagedChannel channel(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("backend address must be host:port, got '" + address + "'");
    }
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    int port = Integer.parseInt(address.substring(colon + 1));
    return ManagedChannelBuilder.forAddress(host, port).usePlaintext()
        .maxInboundMessageSize(MAX_MESSAGE_BYTES).build();
  }

  public EndpointPool encoders() {
    return encoders;
  }

  public EndpointPool generators() {
    return generators;
  }

  /** VisionEncoder.Encode with the encode deadline; UNAVAILABLE is retried on another replica. */
  public CompletableFuture<EncodeResponse> encode(EncodeRequest request, Deadline outer) {
    return unary(encoders, VisionEncoderGrpc.getEncodeMethod(), request, config.deadlines().encode(), outer);
  }

  /** Generator.CountTokens (idempotent, retried like Encode). */
  public CompletableFuture<CountTokensResponse> countTokens(GenerateRequest request, Deadline outer) {
    return unary(generators, GeneratorGrpc.getCountTokensMethod(), request, config.deadlines().countTokens(), outer);
  }

  /** Starts Generator.Generate; cancel the returned call to stop the sequence on projector-lm. */
  public GenerateCall generate(GenerateRequest request, Deadline outer, GenerateListener listener) {
    GenerateCall call = new GenerateCall(request, outer, listener);
    call.attempt(1, new HashSet<>(), null);
    return call;
  }

  private <Q, R> CompletableFuture<R> unary(EndpointPool pool, MethodDescriptor<Q, R> method, Q request,
      Duration timeout, Deadline outer) {
    CompletableFuture<R> result = new CompletableFuture<>();
    unaryAttempt(pool, method, request, timeout, outer, 1, new HashSet<>(), result, null);
    return result;
  }

  private <Q, R> void unaryAttempt(EndpointPool pool, MethodDescriptor<Q, R> method, Q request, Duration timeout,
      Deadline outer, int attempt, Set<Endpoint> tried, CompletableFuture<R> result, ChatException previous) {
    if (result.isDone()) {
      return;
    }
    Endpoint endpoint;
    try {
      endpoint = pool.pick(tried);
    } catch (ChatException e) {
      result.completeExceptionally(previous != null ? previous : e);
      return;
    }
    EffectiveDeadline deadline = EffectiveDeadline.of(timeout, outer);
    endpoint.begin();
    ClientCall<Q, R> call = endpoint.channel().newCall(method, CallOptions.DEFAULT.withDeadline(deadline.deadline()));
    ListenableFuture<R> future = ClientCalls.futureUnaryCall(call, request);
    result.whenComplete((r, t) -> {
      if (result.isCancelled()) {
        future.cancel(true);
      }
    });
    Futures.addCallback(future, new FutureCallback<R>() {
      @Override
      public void onSuccess(R response) {
        endpoint.end(Endpoint.Verdict.HEALTHY);
        result.complete(response);
      }

      @Override
      public void onFailure(Throwable t) {
        Status status = Status.fromThrowable(t);
        endpoint.end(Endpoint.Verdict.of(status.getCode(), deadline.own()));
        ChatException mapped = BackendStatus.toChatException(pool.backend(), status);
        if (status.getCode() == Status.Code.UNAVAILABLE && attempt < config.retry().maxAttempts()) {
          LOG.debugf("%s %s at %s UNAVAILABLE (%s); retrying on another replica", pool.backend(),
              method.getBareMethodName(), endpoint.address(), status.getDescription());
          tried.add(endpoint);
          unaryAttempt(pool, method, request, timeout, outer, attempt + 1, tried, result, mapped);
        } else {
          result.completeExceptionally(mapped);
        }
      }
    }, MoreExecutors.directExecutor());
  }

  /** A running Generate stream, possibly on its second replica. */
  public final class GenerateCall {
    private final GenerateRequest request;
    private final Deadline outer;
    private final GenerateListener listener;
    private volatile ClientCall<GenerateRequest, GenerateResponse> current;
    private volatile boolean cancelled;
    private volatile String endpointAddress;

    private GenerateCall(GenerateRequest request, Deadline outer, GenerateListener listener) {
      this.request = request;
      this.outer = outer;
      this.listener = listener;
    }

    /** Address of the replica serving the stream. */
    public String endpoint() {
      return endpointAddress;
    }

    /** Cancels the stream on projector-lm (the client went away). */
    public void cancel(String reason) {
      cancelled = true;
      ClientCall<GenerateRequest, GenerateResponse> c = current;
      if (c != null) {
        c.cancel(reason, null);
      }
    }

    private void attempt(int attempt, Set<Endpoint> tried, ChatException previous) {
      if (cancelled) {
        listener.onError(new ChatException(Status.Code.CANCELLED, "request cancelled"));
        return;
      }
      Endpoint endpoint;
      try {
        endpoint = generators.pick(tried);
      } catch (ChatException e) {
        listener.onError(previous != null ? previous : e);
        return;
      }
      endpointAddress = endpoint.address();
      EffectiveDeadline deadline = EffectiveDeadline.of(config.deadlines().generate(), outer);
      endpoint.begin();
      ClientCall<GenerateRequest, GenerateResponse> call = endpoint.channel()
          .newCall(GeneratorGrpc.getGenerateMethod(), CallOptions.DEFAULT.withDeadline(deadline.deadline()));
      ClientCalls.asyncServerStreamingCall(call, request, new StreamObserver<>() {
        private boolean started;

        @Override
        public void onNext(GenerateResponse chunk) {
          started = true;
          listener.onChunk(chunk);
        }

        @Override
        public void onError(Throwable t) {
          Status status = Status.fromThrowable(t);
          endpoint.end(Endpoint.Verdict.of(status.getCode(), deadline.own()));
          ChatException mapped = BackendStatus.toChatException(generators.backend(), status);
          if (!started && !cancelled && status.getCode() == Status.Code.UNAVAILABLE
              && attempt < config.retry().maxAttempts()) {
            LOG.debugf("projector-lm Generate at %s UNAVAILABLE before the first chunk; retrying elsewhere",
                endpoint.address());
            tried.add(endpoint);
            attempt(attempt + 1, tried, mapped);
          } else {
            listener.onError(mapped);
          }
        }

        @Override
        public void onCompleted() {
          endpoint.end(Endpoint.Verdict.HEALTHY);
          listener.onCompleted();
        }
      });
      current = call;
      if (cancelled) {
        call.cancel("request cancelled", null);
      }
    }
  }

  /** The sooner of our per-call deadline and the caller's; {@code own} when ours is the binding one. */
  record EffectiveDeadline(Deadline deadline, boolean own) {
    static EffectiveDeadline of(Duration timeout, Deadline outer) {
      Deadline ours = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (outer != null && outer.isBefore(ours)) {
        return new EffectiveDeadline(outer, false);
      }
      return new EffectiveDeadline(ours, true);
    }
  }

  @PreDestroy
  void close() {
    encoders.close(5_000);
    generators.close(5_000);
  }
}
