package dev.llava.trainer.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.llava.model.train.TrainingProgress;

/**
 * One line of the trainer's {@code metrics.jsonl} ({@code dev.llava.model.train.MetricsLog}: {@code step,
 * total_steps, epoch, loss, learning_rate, grad_norm, samples_per_second, tokens, elapsed_ms}) as the
 * {@link TrainingProgress} a local run reports for the same step.
 */
final class MetricsLine {
  // A diverged run logs a NaN or infinite loss, which Jackson writes as "NaN" (or bare NaN): still a step to report.
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private MetricsLine() {}

  /** The step of {@code line}; IllegalArgumentException when it is not a metrics object with a step. */
  static TrainingProgress parse(String line) {
    JsonNode o;
    try {
      o = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode step = o.get("step");
    if (step == null || !step.isIntegralNumber() || !step.canConvertToInt() || step.intValue() < 0) {
      throw new IllegalArgumentException("no step (a non-negative integer)");
    }
    JsonNode loss = o.get("loss");
    if (loss == null || !(loss.isNumber() || loss.isTextual() && !Double.isFinite(loss.asDouble(0)))) {
      throw new IllegalArgumentException("no loss");
    }
    return new TrainingProgress(step.intValue(), o.path("total_steps").asInt(), loss.asDouble(),
        o.path("learning_rate").asDouble(), o.path("samples_per_second").asDouble(), o.path("grad_norm").asDouble(),
        o.path("elapsed_ms").asLong());
  }
}
