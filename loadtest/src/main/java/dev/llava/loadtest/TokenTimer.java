package dev.llava.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Collects the arrival times of streamed chunks of one request. */
final class TokenTimer {
  private final long dueNanos;
  private long firstNanos = -1;
  private long lastNanos = -1;
  private final List<Double> gaps = new ArrayList<>();
  private final StringBuilder text = new StringBuilder();
  int tokens;
  /** The server's stage timings, set from its final chunk. */
  Map<String, Double> stages = Map.of();

  TokenTimer(long dueNanos) {
    this.dueNanos = dueNanos;
  }

  void onChunk(String delta, int newTokens) {
    long now = System.nanoTime();
    if (delta.isEmpty() && newTokens == 0) {
      return;
    }
    if (firstNanos < 0) {
      firstNanos = now;
    } else {
      gaps.add((now - lastNanos) / 1e6);
    }
    lastNanos = now;
    tokens += newTokens;
    text.append(delta);
  }

  RequestResult finish(RequestSpec spec, String status) {
    long end = System.nanoTime();
    double ttft = firstNanos < 0 ? Double.NaN : (firstNanos - dueNanos) / 1e6;
    return new RequestResult(spec, status, ttft, (end - dueNanos) / 1e6, gaps, tokens, text.toString(), stages);
  }
}
