package dev.llava.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.model.checkpoint.ModelPart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code trainer_state.json} beside a checkpoint written by {@link LlavaTrainer}: where the run stood, so that
 * {@code resumeFrom} can continue it. The data position is the global step itself: the {@link BatchPlanner}
 * order is a pure function of the seed, so step {@code s} of a resumed run trains the same samples as step
 * {@code s} of an uninterrupted one. The optimizer state sits next to it in {@link #OPTIMIZER_FILE}.
 *
 * @param globalStep optimizer steps done
 * @param totalSteps steps the schedule was planned for
 * @param stepsPerEpoch global batches per pass over the data
 * @param seed the data-order (and demo init) seed
 * @param dataFingerprint samples and their lengths, hashed: a resumed run checks it trains on the same data
 * @param trainedParts the parts that received updates
 * @param lastLoss loss of the last step
 * @param elapsedMillis training time so far, across resumes
 */
public record TrainerState(int globalStep, int totalSteps, int stepsPerEpoch, long seed, String dataFingerprint,
    Set<ModelPart> trainedParts, double lastLoss, long elapsedMillis) {
  public static final String FILE = "trainer_state.json";
  public static final String OPTIMIZER_FILE = "optimizer.safetensors";
  private static final ObjectMapper JSON = new ObjectMapper();

  public TrainerState {
    trainedParts = Set.copyOf(trainedParts);
  }

  public void write(Path dir) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("global_step", globalStep);
    o.put("total_steps", totalSteps);
    o.put("steps_per_epoch", stepsPerEpoch);
    o.put("epoch", stepsPerEpoch == 0 ? 0 : (double) globalStep / stepsPerEpoch);
    o.put("seed", seed);
    o.put("data_fingerprint", dataFingerprint);
    ArrayNode parts = o.putArray("trained_parts");
    for (ModelPart p : ModelPart.values()) if (trainedParts.contains(p)) parts.add(p.name());
    o.put("last_loss", lastLoss);
    o.put("elapsed_ms", elapsedMillis);
    o.put("optimizer_state", OPTIMIZER_FILE);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(FILE).toFile(), o);
  }

  /** Reads the state of a checkpoint directory; the message says what is missing when it was not a trainer's. */
  public static TrainerState read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file) || !Files.isRegularFile(dir.resolve(OPTIMIZER_FILE))) {
      throw new IOException(dir + " cannot be resumed: expected " + FILE + " and " + OPTIMIZER_FILE
          + " written by an earlier training run");
    }
    JsonNode o = JSON.readTree(file.toFile());
    Set<ModelPart> parts = EnumSet.noneOf(ModelPart.class);
    for (JsonNode p : o.path("trained_parts")) parts.add(ModelPart.valueOf(p.asText()));
    return new TrainerState(o.path("global_step").asInt(), o.path("total_steps").asInt(),
        o.path("steps_per_epoch").asInt(), o.path("seed").asLong(), o.path("data_fingerprint").asText(),
        parts, o.path("last_loss").asDouble(), o.path("elapsed_ms").asLong());
  }
}
