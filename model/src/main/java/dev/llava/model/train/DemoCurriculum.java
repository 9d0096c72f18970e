package dev.llava.model.train;

import dev.llava.model.data.LlavaConversationDataset;
import dev.llava.model.data.ShapesDatasetGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The demo recipe's two phases, LLaVA's own order on a model that starts from nothing. LLaVA trains a projector
 * and an LLM on top of a CLIP that web-scale pre-training already taught to see; a randomly initialised tower
 * trained only through the language loss never learns to (measured: its features collapse to a constant, cosine
 * 1.000 between any two image tokens, and held-out accuracy stays at chance). So:
 * <ol>
 *   <li>{@link VisionPretraining}: the tower learns to find and name shapes on freshly drawn scenes;
 *   <li>visual instruction tuning on the dataset, projector and LLM trained, tower frozen (LLaVA's stage 2 with the
 *       demo hyper-parameters; the builder's settings — epochs, lr, batch, max steps — apply here).
 * </ol>
 *
 * <p>Layout: {@code out/init} (the fresh model, tokenizer trained on the dataset's text), {@code out/vision} (phase
 * 1's checkpoint), {@code out} (the final checkpoint). A run resumed with {@code resumeFrom}, or with a finished
 * phase 1 in place (it leaves {@code PHASE_DONE}), goes straight to phase 2.
 */
public final class DemoCurriculum {
  private static final String DONE_MARKER = "PHASE_DONE";

  private DemoCurriculum() {}

  /**
   * Whether {@code spec} asks for the demo from nothing on a shapes dataset folder: recipe {@code demo}, no base
   * model, the tower trained, data the folder's train split. Such a spec, submitted as a job or a spec file, runs
   * both phases ({@link LlavaTrainer} hands it here), since training a fresh tower through the language loss
   * alone collapses. Phase 2 itself (tower frozen) never qualifies.
   */
  public static boolean appliesTo(TrainingSpec spec) {
    Path data = spec.dataPath();
    return "demo".equals(spec.recipe()) && spec.baseModelDir() == null && spec.trainVision() && data != null
        && data.getFileName().toString().equals(ShapesDatasetGenerator.TRAIN_JSON)
        && applies(data.toAbsolutePath().getParent());
  }

  /** Whether {@code dataDir} is a shapes dataset folder (the generator's train split). */
  public static boolean applies(Path dataDir) {
    return Files.isRegularFile(dataDir.resolve(ShapesDatasetGenerator.TRAIN_JSON));
  }

  /**
   * Runs phase 1 (unless done already), then {@code main} from its checkpoint with the vision tower frozen.
   *
   * @param main the demo builder for the full task ({@link Recipes#demo}), with any overrides applied
   * @param vision phase 1's settings ({@link VisionPretraining.Options#demo} for the recipe's)
   */
  public static TrainingResult run(TrainingSpecBuilder main, VisionPretraining.Options vision,
      TrainingListener listener, BooleanSupplier cancelled) throws Exception {
    Path out = main.outputDir;
    Path visionDir = out.resolve("vision");
    if (main.resumeFrom == null && !isDone(visionDir)) {
      Path init = Recipes.createFreshModel(main.build(), LlavaConversationDataset.load(main.dataPath),
          out.resolve("init"));
      listener.onLog("phase 1/2: vision pre-training on freshly drawn scenes (the demo's stand-in for CLIP's)");
      VisionPretraining.Result pre = VisionPretraining.run(init, visionDir, vision, listener, cancelled);
      if (pre.cancelled()) return new TrainingResult(null, pre.steps(), pre.finalLoss(), true, 0);
      Files.writeString(visionDir.resolve(DONE_MARKER), "phase 1 finished after " + pre.steps() + " steps\n");
    }
    listener.onLog("phase 2/2: visual instruction tuning on " + main.dataPath.getFileName() + " from " + visionDir
        + " (vision tower frozen)");
    if (main.resumeFrom == null) main.baseModelDir(visionDir);
    main.trainVision(false);
    return new LlavaTrainer().run(main.build(), listener, cancelled);
  }

  private static boolean isDone(Path dir) {
    return Files.isRegularFile(dir.resolve(DONE_MARKER)) && Files.isRegularFile(dir.resolve("model.safetensors"));
  }
}
