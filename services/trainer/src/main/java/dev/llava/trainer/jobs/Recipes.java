package dev.llava.trainer.jobs;

import dev.llava.model.train.TrainingStage;
import java.util.List;
import java.util.Optional;

/**
 * Named recipes: the hyper-parameters a job gets for every field it leaves unset (0 or empty in the proto).
 *
 * <p>{@code llava-1.5} is the paper's recipe (PAPERS.md): stage 1 lr 1e-3, global batch 256 (32 per device on 8
 * GPUs); stage 2 lr 2e-5, global batch 128 (16 per device); 1 epoch, warmup ratio 0.03, weight decay 0, max length
 * 2048, gradient clipping at 1.0 (the HF Trainer's default the reference scripts keep). {@code demo} trains every
 * part of a tiny model from scratch on a CPU; its numbers are the in-JVM trainer's own demo recipe
 * ({@code dev.llava.model.train.Recipes}), so a demo job and {@code bin/llava train --recipe demo} agree.
 */
public final class Recipes {
  public static final String LLAVA_1_5 = "llava-1.5";
  public static final String DEMO = "demo";

  /** What a recipe fills in for one stage. Which parts train follows the stage, not the recipe. */
  public record Defaults(String recipe, double learningRate, int globalBatchSize, int microBatchSize, int epochs,
      double warmupRatio, double weightDecay, int maxLength, double gradClip, boolean rotateTurns) {}

  private static final Defaults STAGE1 = new Defaults(LLAVA_1_5, 1e-3, 256, 32, 1, 0.03, 0.0, 2048, 1.0, false);
  private static final Defaults STAGE2 = new Defaults(LLAVA_1_5, 2e-5, 128, 16, 1, 0.03, 0.0, 2048, 1.0, false);
  private static final Defaults DEMO_DEFAULTS = new Defaults(DEMO, dev.llava.model.train.Recipes.DEMO_LEARNING_RATE,
      dev.llava.model.train.Recipes.DEMO_GLOBAL_BATCH, dev.llava.model.train.Recipes.DEMO_MICRO_BATCH,
      dev.llava.model.train.Recipes.DEMO_EPOCHS, dev.llava.model.train.Recipes.DEMO_WARMUP_RATIO,
      dev.llava.model.train.Recipes.DEMO_WEIGHT_DECAY, dev.llava.model.train.Recipes.DEMO_MAX_LENGTH,
      dev.llava.model.train.Recipes.DEMO_GRAD_CLIP, dev.llava.model.train.Recipes.DEMO_ROTATE_TURNS);

  private Recipes() {}

  public static List<String> names() {
    return List.of(LLAVA_1_5, DEMO);
  }

  /** The recipe a job without one gets: the paper's for stages 1 and 2, the demo for ALL_PARTS. */
  public static String defaultRecipe(TrainingStage stage) {
    return stage == TrainingStage.ALL_PARTS ? DEMO : LLAVA_1_5;
  }

  /** The stage a job that names only a recipe gets: the demo trains every part; the paper's recipe has none. */
  public static Optional<TrainingStage> defaultStage(String recipe) {
    return DEMO.equals(recipe) ? Optional.of(TrainingStage.ALL_PARTS) : Optional.empty();
  }

  /** The defaults of {@code recipe} for {@code stage}, or empty for an unknown recipe. */
  public static Optional<Defaults> of(String recipe, TrainingStage stage) {
    if (DEMO.equals(recipe)) {
      return Optional.of(DEMO_DEFAULTS);
    }
    if (LLAVA_1_5.equals(recipe)) {
      // ALL_PARTS under the paper's recipe: stage-2 numbers (the full model fine-tunes at the small rate).
      return Optional.of(stage == TrainingStage.STAGE1_ALIGN ? STAGE1 : STAGE2);
    }
    return Optional.empty();
  }

  /**
   * Sequences per forward pass when the job sets only the global batch: the largest divisor of it not above the
   * recipe's (a global batch of 48 under a micro batch of 32 gives 24).
   */
  public static int microBatchFor(int globalBatchSize, int recipeMicroBatch) {
    if (globalBatchSize <= 0) {
      return recipeMicroBatch;
    }
    for (int m = Math.min(globalBatchSize, recipeMicroBatch); m > 1; m--) {
      if (globalBatchSize % m == 0) {
        return m;
      }
    }
    return 1;
  }

  /** Which parts of the model receive gradients. */
  public record Parts(boolean vision, boolean projector, boolean languageModel) {}

  /** Stage 1 trains the projector, stage 2 the projector and the LLM, ALL_PARTS everything. */
  public static Parts trainedParts(TrainingStage stage) {
    if (stage == null) {
      return new Parts(false, true, false);
    }
    return switch (stage) {
      case STAGE1_ALIGN -> new Parts(false, true, false);
      case STAGE2_INSTRUCT -> new Parts(false, true, true);
      case ALL_PARTS -> new Parts(true, true, true);
    };
  }
}
