package dev.llava.orchestrator.grpc;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Deadline;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallContextInterceptorTest {

  @Test
  void parsesEveryGrpcTimeoutUnit() {
    assertNear(CallContextInterceptor.parseTimeout("250m"), 250);
    assertNear(CallContextInterceptor.parseTimeout("3S"), 3_000);
    assertNear(CallContextInterceptor.parseTimeout("2M"), 120_000);
    assertNear(CallContextInterceptor.parseTimeout("1H"), 3_600_000);
    assertNear(CallContextInterceptor.parseTimeout("400000u"), 400);
    assertNear(CallContextInterceptor.parseTimeout("5000000n"), 5);
  }

  @Test
  void ignoresMalformedValues() {
    assertNull(CallContextInterceptor.parseTimeout(null));
    assertNull(CallContextInterceptor.parseTimeout("m"));
    assertNull(CallContextInterceptor.parseTimeout("12x"));
    assertNull(CallContextInterceptor.parseTimeout("abcS"));
    assertNull(CallContextInterceptor.parseTimeout("123456789S"));
  }

  private static void assertNear(Deadline deadline, long millis) {
    long left = deadline.timeRemaining(TimeUnit.MILLISECONDS);
    assertTrue(left <= millis && left > millis - 1_000, left + " ms left, expected about " + millis);
  }
}
