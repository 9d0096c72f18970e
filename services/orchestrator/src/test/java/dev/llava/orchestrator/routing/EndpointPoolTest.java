package dev.llava.orchestrator.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.orchestrator.pipeline.ChatException;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EndpointPoolTest {
  private final EndpointPool pool = new EndpointPool("vision-encoder",
      a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build(),
      () -> new CircuitBreaker(2, Long.MAX_VALUE, System::nanoTime));

  @AfterEach
  void close() {
    pool.close(1_000);
  }

  @Test
  void picksTheReplicaWithTheFewestOutstandingCalls() {
    pool.update(List.of("a:1", "b:2", "c:3"));
    Endpoint a = pool.endpoint("a:1");
    Endpoint b = pool.endpoint("b:2");
    a.begin();
    a.begin();
    b.begin();
    for (int i = 0; i < 5; i++) {
      assertEquals("c:3", pool.pick(Set.of()).address());
    }
    pool.endpoint("c:3").begin();
    pool.endpoint("c:3").begin();
    assertEquals("b:2", pool.pick(Set.of()).address());
  }

  @Test
  void equalReplicasShareTheLoad() {
    pool.update(List.of("a:1", "b:2"));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      seen.add(pool.pick(Set.of()).address());
    }
    assertEquals(Set.of("a:1", "b:2"), seen);
  }

  @Test
  void skipsTriedReplicasAndOpenBreakers() {
    pool.update(List.of("a:1", "b:2"));
    Endpoint a = pool.endpoint("a:1");
    a.breaker().onFailure();
    a.breaker().onFailure();
    for (int i = 0; i < 4; i++) {
      assertEquals("b:2", pool.pick(Set.of()).address());
    }
    ChatException e = assertThrows(ChatException.class, () -> pool.pick(Set.of(pool.endpoint("b:2"))));
    assertEquals(Status.Code.UNAVAILABLE, e.code());
    assertTrue(e.getMessage().contains("1 with an open circuit breaker"), e.getMessage());
  }

  @Test
  void updatesReplaceTheReplicaSet() {
    pool.update(List.of("a:1", "b:2"));
    Endpoint b = pool.endpoint("b:2");
    pool.update(List.of("b:2", "c:3"));
    assertEquals(Set.of("b:2", "c:3"), pool.addresses());
    assertEquals(b, pool.endpoint("b:2"), "kept replicas keep their channel, breaker and counters");
    assertNotEquals(null, pool.endpoint("c:3"));
    pool.update(List.of());
    assertThrows(ChatException.class, () -> pool.pick(Set.of()));
  }
}
