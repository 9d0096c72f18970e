package dev.llava.model.train;

import dev.llava.model.data.LlavaConversationDataset;
import dev.llava.model.data.ShapesDatasetGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The demo recipe's phases, LLaVA's own order on a model that starts from nothing. LLaVA trains a projector
 * and an LLM on top of a CLIP that web-scale pre-training already taught to see; a randomly initialised tower
 * trained only through the language loss never learns to (measured: its features collapse to a constant, cosine
 * 1.000 between any two image tokens, and held-out accuracy stays at chance). So:
 * <ol>
 *   <li>{@link VisionPretraining}: the tower learns to find and name shapes on freshly drawn scenes;
 *   <li>visual instruction tuning on the dataset, projector and LLM trained, tower frozen (LLaVA's stage 2 with the
 *       demo hyper-parameters; the builder's settings — epochs, lr, batch, max steps — apply here);
 *   <li>{@link FreshScenes}: one more pass, at a lower rate, over scenes drawn for it (unless its options are
 *       {@link FreshScenes.Options#none}): phase 2 memorises its 2000 images, new ones make it generalise.
 * </ol>
 *
 * <p>Layout: {@code out/init} (the fresh model, tokenizer trained on the dataset's text), {@code out/vision} (phase
 * 1's checkpoint), {@code out/tuned} (phase 2's), {@code out/fresh} (phase 3's scenes), {@code out} (the final
 * checkpoint; phase 2's own when there is no phase 3). A finished phase leaves {@code PHASE_DONE} and a rerun
 * starts after it; {@code resumeFrom} continues the first unfinished tuning phase from its checkpoint.
 */
public final class DemoCurriculum {
  private static final String DONE_MARKER = "PHASE_DONE";

  private DemoCurriculum() {}

  /**
   * Whether {@code spec} asks for the demo from nothing on a shapes dataset folder: recipe {@code demo}, no base
   * model, the tower trained, data the folder's train split. Such a spec, submitted as a job or a spec file, runs
   * every phase ({@link LlavaTrainer} hands it here), since training a fresh tower through the language loss
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
   * Runs phase 1 (unless done already), then {@code main} from its checkpoint with the vision tower frozen, then
   * phase 3 from that.
   *
   * @param main the demo builder for the full task ({@link Recipes#demo}), with any overrides applied
   * @param vision phase 1's settings ({@link VisionPretraining.Options#demo} for the recipe's)
   * @param fresh phase 3's settings ({@link FreshScenes.Options#demo} for the recipe's)
   */
  public static TrainingResult run(TrainingSpecBuilder main, VisionPretraining.Options vision,
      FreshScenes.Options fresh, TrainingListener listener, BooleanSupplier cancelled) throws Exception {
    Path out = main.outputDir;
    Path visionDir = out.resolve("vision");
    Path tunedDir = fresh.enabled() ? out.resolve("tuned") : out;
    int phases = fresh.enabled() ? 3 : 2;
    Path resume = main.resumeFrom;
    if (resume == null && !isDone(visionDir)) {
      Path init = Recipes.createFreshModel(main.build(), LlavaConversationDataset.load(main.dataPath),
          out.resolve("init"));
      listener.onLog("phase 1/" + phases + ": vision pre-training on freshly drawn scenes (the demo's stand-in for"
          + " CLIP's)");
      VisionPretraining.Result pre = VisionPretraining.run(init, visionDir, vision, listener, cancelled);
      if (pre.cancelled()) return new TrainingResult(null, pre.steps(), pre.finalLoss(), true, 0);
      Files.writeString(visionDir.resolve(DONE_MARKER), "phase 1 finished after " + pre.steps() + " steps\n");
    }
    main.trainVision(false).outputDir(tunedDir);
    if (!fresh.enabled() || !isDone(tunedDir)) {
      listener.onLog("phase 2/" + phases + ": visual instruction tuning on " + main.dataPath.getFileName() + " from "
          + (resume != null ? resume : visionDir) + " (vision tower frozen)");
      if (resume == null) main.baseModelDir(visionDir);
      TrainingResult tuned = new LlavaTrainer().run(main.build(), listener, cancelled);
      if (tuned.cancelled() || !fresh.enabled()) return tuned;
      Files.writeString(tunedDir.resolve(DONE_MARKER), "phase 2 finished after " + tuned.steps() + " steps\n");
      resume = null; // it belonged to phase 2
    }
    return freshScenes(main.build(), tunedDir, out, fresh, resume, listener, cancelled);
  }

  /** Phase 3: {@code phase2}'s settings but its own scenes, rate, epochs and seed, from {@code tunedDir}. */
  private static TrainingResult freshScenes(TrainingSpec phase2, Path tunedDir, Path out, FreshScenes.Options fresh,
      Path resume, TrainingListener listener, BooleanSupplier cancelled) throws Exception {
    Path scenes = out.resolve("fresh");
    Path train = FreshScenes.draw(scenes, fresh, listener);
    listener.onLog("phase 3/3: tuning on " + fresh.images() + " fresh scenes from " + (resume != null ? resume
        : tunedDir) + " (lr " + fresh.learningRate() + ", vision tower frozen)");
    TrainingSpec spec = TrainingSpecBuilder.from(phase2).baseModelDir(tunedDir).dataPath(train).imageDir(scenes)
        .outputDir(out).learningRate(fresh.learningRate()).epochs(fresh.epochs()).maxSteps(0).seed(fresh.seed())
        .resumeFrom(resume).build();
    return new LlavaTrainer().run(spec, listener, cancelled);
  }

  private static boolean isDone(Path dir) {
    return Files.isRegularFile(dir.resolve(DONE_MARKER)) && Files.isRegularFile(dir.resolve("model.safetensors"));
  }
}
