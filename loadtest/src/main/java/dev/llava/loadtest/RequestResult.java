package dev.llava.loadtest;

import java.util.List;
import java.util.Map;

/**
 * What one request measured, in milliseconds from the moment it was due (open loop: waiting for a free client
 * counts as latency).
 *
 * @param status "OK" or the error class (gRPC status code name, or HTTP status)
 * @param stages the server's own stage timings in ms ({@link ServerStages}), empty when it reported none
 */
public record RequestResult(RequestSpec spec, String status, double ttftMillis, double e2eMillis,
    List<Double> interTokenMillis, int completionTokens, String text, Map<String, Double> stages) {

  public boolean ok() {
    return status.equals("OK");
  }
}
