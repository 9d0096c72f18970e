package dev.llava.model.train;

import dev.llava.model.data.LlavaConversationDataset;
import dev.llava.model.data.ShapesDatasetGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The demo recipe's two phases. A tiny LLaVA trained from scratch on full shape scenes never starts reading its
 * image tokens: an answer depends on the few tokens of one small object among a varied background, and before
 * the decoder can use that signal it lowers its loss faster by making the vision features constant (measured:
 * cosine 1.000 between any two image tokens of any two images after training, held-out accuracy at chance). So
 * the demo first trains on the dataset's warm-up split ({@code warmup.json}: one large centred object, where most
 * image tokens carry the answer), then on the full task from that checkpoint. Both phases run every part with
 * the demo hyper-parameters; the phase-2 builder's settings (epochs, lr, batch, max steps) apply to phase 2.
 *
 * <p>Layout: {@code out/init} (the fresh model, tokenizer trained on both splits' text), {@code out/warmup}
 * (phase 1's checkpoint), {@code out} (the final checkpoint). A run resumed with {@code resumeFrom} or a warm-up
 * checkpoint already in place (a finished phase 1 leaves {@code PHASE_DONE}) goes straight to phase 2.
 */
public final class DemoCurriculum {
  /** Passes over the warm-up split. */
  public static final int WARMUP_EPOCHS = 3;
  private static final String DONE_MARKER = "PHASE_DONE";

  private DemoCurriculum() {}

  /** Whether {@code dataDir} has a warm-up split to start from. */
  public static boolean applies(Path dataDir) {
    return Files.isRegularFile(dataDir.resolve(ShapesDatasetGenerator.WARMUP_JSON));
  }

  /**
   * Runs phase 1 on {@code dataDir/warmup.json} (unless done already), then {@code main} from its checkpoint.
   *
   * @param main the demo builder for the full task ({@link Recipes#demo}), with any overrides applied
   */
  public static TrainingResult run(TrainingSpecBuilder main, Path dataDir, TrainingListener listener,
      BooleanSupplier cancelled) throws Exception {
    Path out = main.outputDir;
    Path warmupDir = out.resolve("warmup");
    if (main.resumeFrom == null && !isCheckpoint(warmupDir)) {
      LlavaConversationDataset train = LlavaConversationDataset.load(main.dataPath);
      LlavaConversationDataset warmup = LlavaConversationDataset.load(dataDir.resolve(ShapesDatasetGenerator.WARMUP_JSON));
      Path init = Recipes.createFreshModel(main.build(), List.of(train, warmup), out.resolve("init"));
      listener.onLog("phase 1/2: warm-up on " + ShapesDatasetGenerator.WARMUP_JSON + " (one large object per image)");
      TrainingSpec phase1 = Recipes.named("demo").baseModelDir(init)
          .dataPath(dataDir.resolve(ShapesDatasetGenerator.WARMUP_JSON)).imageDir(dataDir).outputDir(warmupDir)
          .seed(main.seed).epochs(WARMUP_EPOCHS).build();
      TrainingResult warm = new LlavaTrainer().run(phase1, listener, cancelled);
      if (warm.cancelled()) return warm;
      Files.writeString(warmupDir.resolve(DONE_MARKER), "phase 1 finished after " + warm.steps() + " steps\n");
    }
    listener.onLog("phase 2/2: full scenes on " + main.dataPath.getFileName() + ", from " + warmupDir);
    if (main.resumeFrom == null) main.baseModelDir(warmupDir);
    return new LlavaTrainer().run(main.build(), listener, cancelled);
  }

  // a cancelled phase 1 also leaves a (resumable) checkpoint; only a finished one has the marker
  private static boolean isCheckpoint(Path dir) {
    return Files.isRegularFile(dir.resolve(DONE_MARKER)) && Files.isRegularFile(dir.resolve("model.safetensors"));
  }
}
