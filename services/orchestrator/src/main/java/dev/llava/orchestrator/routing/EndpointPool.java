package dev.llava.orchestrator.routing;

import dev.llava.orchestrator.pipeline.ChatException;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The replicas of one backend (all vision-encoders, or all projector-lms). Discovery replaces the set;
 * routing picks the replica with the fewest outstanding calls whose breaker lets a call through.
 */
public final class EndpointPool {
  private static final Logger LOG = Logger.getLogger(EndpointPool.class);

  private final String backend;
  private final Function<String, ManagedChannel> channels;
  private final Supplier<CircuitBreaker> breakers;
  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
  private final AtomicInteger rotation = new AtomicInteger();

  public EndpointPool(String backend, Function<String, ManagedChannel> channels, Supplier<CircuitBreaker> breakers) {
    this.backend = backend;
    this.channels = channels;
    this.breakers = breakers;
  }

  public String backend() {
    return backend;
  }

  /** Replaces the replica set: new addresses get a channel, vanished ones are shut down gracefully. */
  public synchronized void update(Collection<String> addresses) {
    Set<String> wanted = new TreeSet<>(addresses);
    for (String address : List.copyOf(endpoints.keySet())) {
      if (!wanted.contains(address)) {
        Endpoint gone = endpoints.remove(address);
        gone.shutdown(); // in-flight calls finish; new calls go elsewhere
      }
    }
    for (String address : wanted) {
      endpoints.computeIfAbsent(address, a -> new Endpoint(a, channels.apply(a), breakers.get()));
    }
    LOG.infof("%s endpoints: %s", backend, wanted);
  }

  /** Current addresses, sorted. */
  public Set<String> addresses() {
    return new TreeSet<>(endpoints.keySet());
  }

  public Endpoint endpoint(String address) {
    return endpoints.get(address);
  }

  /**
   * Picks the replica with the fewest outstanding calls among those not yet tried and whose breaker permits a
   * call, and takes the breaker's permit. Ties rotate so equal replicas share the load.
   */
  public Endpoint pick(Set<Endpoint> tried) {
    for (int guard = 0; guard < 16; guard++) {
      List<Endpoint> candidates = new ArrayList<>(endpoints.values());
      if (candidates.isEmpty()) {
        throw new ChatException(Status.Code.UNAVAILABLE, "no " + backend + " replica is configured or discovered");
      }
      int start = Math.floorMod(rotation.getAndIncrement(), candidates.size());
      Endpoint best = null;
      for (int i = 0; i < candidates.size(); i++) {
        Endpoint e = candidates.get((start + i) % candidates.size());
        if (tried.contains(e) || !e.breaker().wouldPermit()) {
          continue;
        }
        if (best == null || e.outstanding() < best.outstanding()) {
          best = e;
        }
      }
      if (best == null) {
        long open = candidates.stream().filter(e -> !e.breaker().wouldPermit()).count();
        throw new ChatException(Status.Code.UNAVAILABLE, "no healthy " + backend + " replica: "
            + candidates.size() + " known, " + tried.size() + " already tried, " + open + " with an open circuit breaker");
      }
      if (best.breaker().tryAcquire()) {
        return best;
      }
      // lost a race for a half-open trial permit: look again
    }
    throw new ChatException(Status.Code.UNAVAILABLE, "no " + backend + " replica accepted a call");
  }

  /** Shuts every channel down, waiting up to {@code millis} for in-flight calls. */
  public synchronized void close(long millis) {
    endpoints.values().forEach(Endpoint::shutdown);
    for (Endpoint e : endpoints.values()) {
      try {
        e.awaitTermination(millis);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
    }
    endpoints.clear();
  }
}
