package dev.llava.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llava.model.data.AccuracyReport;
import dev.llava.model.data.GenerationSummary;
import dev.llava.model.data.LlavaConversationDataset;
import dev.llava.model.data.QaPair;
import dev.llava.model.data.QuestionSample;
import dev.llava.model.data.Scene;
import dev.llava.model.data.SceneQuestions;
import dev.llava.model.data.SceneSampler;
import dev.llava.model.data.ShapesDatasetGenerator;
import dev.llava.model.data.VqaEvaluator;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.model.train.DemoCurriculum;
import dev.llava.model.train.DemoModel;
import dev.llava.model.train.FreshScenes;
import dev.llava.model.train.LlavaTrainer;
import dev.llava.model.train.ModelEvaluator;
import dev.llava.model.train.Recipes;
import dev.llava.model.train.TrainingListener;
import dev.llava.model.train.TrainingProgress;
import dev.llava.model.train.TrainingResult;
import dev.llava.model.train.TrainingSpec;
import dev.llava.model.train.TrainingSpecBuilder;
import dev.llava.model.train.TrainingSpecJson;
import dev.llava.model.train.VisionPretraining;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** The data, training and evaluation subcommands: {@code data shapes}, {@code train}, {@code eval}. */
final class TrainCommands {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Where progress goes (stderr; tests swap it). */
  static PrintStream progress = System.err;

  private TrainCommands() {}

  static void register() {
    Main.register("data", "make a dataset: data shapes --out DIR [--count N] [--seed S]", TrainCommands::data);
    Main.register("train", "train: --recipe demo|stage1|stage2 ... or --spec-json FILE", TrainCommands::train);
    Main.register("eval", "held-out accuracy of a checkpoint (JSON report)", TrainCommands::eval);
    Main.register("init-model", "a randomly initialised LLaVA-NeXT checkpoint: init-model --out DIR"
        + " [--size demo|tiny|vit-l-336] [--seed S]", TrainCommands::initModel);
  }

  /** Sizes {@code init-model} knows, by name. */
  private static final Map<String, DemoModel.Size> SIZES = Map.of("demo", DemoModel.Size.demo(),
      "tiny", DemoModel.Size.tiny(), "vit-l-336", DemoModel.Size.vitL336());

  static int initModel(String[] argv, PrintStream out) throws Exception {
    Args a = new Args("init-model", argv, 0, Set.of("out", "size", "seed"), Set.of());
    String name = a.get("size", "demo");
    DemoModel.Size size = SIZES.get(name);
    if (size == null) {
      throw new CliException("--size must be one of " + new TreeSet<>(SIZES.keySet()) + ", got '" + name + "'");
    }
    long seed = a.intValue("seed", 0);
    // the tokenizer learns the shapes vocabulary from questions about 500 random scenes (no images needed)
    SplittableRandom random = new SplittableRandom(seed);
    List<String> corpus = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      Scene scene = SceneSampler.sample(random);
      corpus.add(SceneQuestions.caption(scene));
      for (QaPair qa : SceneQuestions.conversation(scene, 5, random)) corpus.add(qa.question() + " " + qa.answer());
    }
    Path dir = DemoModel.create(Path.of(a.required("out")), size, corpus, seed);
    out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.createObjectNode()
        .put("checkpoint", dir.toString()).put("size", name).put("seed", seed)));
    return 0;
  }

  static int data(String[] argv, PrintStream out) throws Exception {
    if (argv.length == 0 || !argv[0].equals("shapes")) {
      throw new CliException("expected 'data shapes --out DIR [--count N] [--seed S]', got "
          + (argv.length == 0 ? "nothing" : "'" + argv[0] + "'"));
    }
    Args a = new Args("data", argv, 1, Set.of("out", "count", "seed"), Set.of());
    GenerationSummary s = ShapesDatasetGenerator.generate(Path.of(a.required("out")),
        positive(a, "count", ShapesDatasetGenerator.DEFAULT_TRAIN_IMAGES), a.intValue("seed", 0));
    out.println(s.toJson());
    return 0;
  }

  private static TrainingSpec requireValid(TrainingSpec spec) {
    List<String> problems = spec.problems();
    if (!problems.isEmpty()) throw new CliException("invalid training spec: " + String.join("; ", problems));
    return spec;
  }

  static int train(String[] argv, PrintStream out) throws Exception {
    Args a = new Args("train", argv, 0, Set.of("recipe", "spec-json", "out", "data", "images", "model", "max-steps",
        "seed", "lr", "batch", "micro-batch", "epochs", "resume", "count", "eval-limit", "vision-steps",
        "rotate-turns", "weight-decay", "adam-beta2", "fresh-images", "fresh-epochs", "fresh-lr"),
        Set.of("no-eval"));
    // checked before any data is generated
    VisionPretraining.Options vision = visionOptions(a, a.intValue("seed", 0));
    FreshScenes.Options fresh = freshOptions(a, a.intValue("seed", 0));
    TrainingSpec spec;
    TrainingSpecBuilder curriculum = null; // the demo's phases (vision pre-training first) on a shapes folder
    Path generateInto = null; // the demo without --data draws its dataset here
    Path evalData = null;
    Path evalImages = null;
    if (a.get("spec-json", null) != null) {
      try {
        spec = TrainingSpecJson.read(Args.existingFile("train", "--spec-json", a.required("spec-json")));
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage());
      }
      requireValid(spec);
    } else {
      String recipe = a.required("recipe");
      if (!Recipes.NAMES.contains(recipe)) {
        throw new CliException("--recipe must be one of " + Recipes.NAMES + ", got '" + recipe + "'");
      }
      TrainingSpecBuilder b;
      if (recipe.equals("demo")) {
        Path outDir = Path.of(a.required("out"));
        Path dataDir = a.get("data", null) == null ? outDir.resolve("data") : a.existingDir("data");
        if (a.get("data", null) == null) {
          generateInto = dataDir; // once the spec is known to be valid
        } else if (!Files.isRegularFile(dataDir.resolve(ShapesDatasetGenerator.TRAIN_JSON))) {
          throw new CliException("--data " + dataDir + " has no " + ShapesDatasetGenerator.TRAIN_JSON
              + " (expected a folder written by 'bin/llava data shapes')");
        }
        b = Recipes.demo(dataDir, outDir, a.intValue("seed", 0));
        evalData = dataDir.resolve(ShapesDatasetGenerator.TEST_JSON);
        evalImages = dataDir;
      } else {
        Path model = a.existingDir("model");
        Path data = Args.existingFile("train", "--data", a.required("data"));
        Path images = a.get("images", null) == null ? data.toAbsolutePath().getParent() : a.existingDir("images");
        Path outDir = a.get("out", null) != null ? Path.of(a.get("out", null))
            : model.toAbsolutePath().resolveSibling(model.getFileName() + "-" + recipe);
        b = Recipes.named(recipe).baseModelDir(model).dataPath(data).imageDir(images).outputDir(outDir)
            .seed(a.intValue("seed", 0));
      }
      if (a.get("lr", null) != null) b.learningRate(a.doubleValue("lr", 0));
      if (a.get("micro-batch", null) != null) b.microBatchSize(positive(a, "micro-batch", 1));
      if (a.get("batch", null) != null) b.globalBatchSize(positive(a, "batch", 1));
      if (a.get("epochs", null) != null) b.epochs(positive(a, "epochs", 1));
      if (a.get("weight-decay", null) != null) b.weightDecay(a.doubleValue("weight-decay", 0));
      if (a.get("adam-beta2", null) != null) b.adamBeta2(a.doubleValue("adam-beta2", 0));
      if (a.get("max-steps", null) != null) b.maxSteps(positive(a, "max-steps", 1));
      if (a.get("resume", null) != null) b.resumeFrom(a.existingDir("resume"));
      String rotate = a.get("rotate-turns", null);
      if (rotate != null) {
        if (!rotate.equals("true") && !rotate.equals("false")) {
          throw new CliException("--rotate-turns must be true or false, got '" + rotate + "'");
        }
        b.rotateTurns(Boolean.parseBoolean(rotate));
      }
      spec = requireValid(b.build());
      if (generateInto != null) {
        progress.println("generating the shapes dataset in " + generateInto + " ...");
        GenerationSummary s = ShapesDatasetGenerator.generate(generateInto,
            positive(a, "count", ShapesDatasetGenerator.DEFAULT_TRAIN_IMAGES), a.intValue("seed", 0));
        progress.printf("%d train / %d test images in %.1f s%n", s.trainImages(), s.testImages(),
            s.elapsedMillis() / 1000.0);
      }
      if (recipe.equals("demo") && DemoCurriculum.applies(evalImages)) curriculum = b;
    }
    ProgressBar bar = new ProgressBar(progress, System.console() != null);
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onStep(TrainingProgress p) {
        bar.update(p);
      }

      @Override
      public void onLog(String message) {
        bar.log(message);
      }

      @Override
      public void onCheckpoint(Path dir, int step) {
        bar.log("checkpoint after step " + step + ": " + dir);
      }
    };
    // Ctrl-C / SIGTERM (a Kubernetes Job being stopped): finish the current step, save a resumable checkpoint
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch saved = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.set(true);
      try {
        saved.await(10, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "llava-train-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return trainAndReport(spec, curriculum, vision, fresh, listener, bar, stop, evalData, evalImages, a, out);
    } finally {
      saved.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running; it returns now that the checkpoint is written
      }
    }
  }

  private static int trainAndReport(TrainingSpec spec, TrainingSpecBuilder curriculum,
      VisionPretraining.Options vision, FreshScenes.Options fresh, TrainingListener listener, ProgressBar bar,
      AtomicBoolean stop, Path evalData, Path evalImages, Args a, PrintStream out) throws Exception {
    TrainingResult result;
    try {
      result = curriculum != null ? DemoCurriculum.run(curriculum, vision, fresh, listener, stop::get)
          : new LlavaTrainer().run(spec, listener, stop::get);
    } finally {
      bar.finish();
    }
    var summary = JSON.createObjectNode();
    summary.put("checkpoint", result.checkpointDir() == null ? null : result.checkpointDir().toString());
    summary.put("steps", result.steps());
    summary.put("final_loss", result.finalLoss());
    summary.put("cancelled", result.cancelled());
    summary.put("skipped_records", result.skippedRecords());
    summary.put("train_seconds", bar.elapsedSeconds());
    if (evalData != null && result.checkpointDir() != null && !result.cancelled() && !a.flag("no-eval")) {
      AccuracyReport report = evaluate(result.checkpointDir(), evalData, evalImages, a.intValue("eval-limit", 0),
          result.checkpointDir().resolve(PredictionLog.FILE));
      Files.writeString(result.checkpointDir().resolve("eval.json"), report.toJson());
      summary.set("eval", JSON.readTree(report.toJson()));
    }
    out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
    return result.cancelled() ? 1 : 0;
  }

  /** The demo's phase-1 settings, with {@code --vision-steps} if given. */
  private static VisionPretraining.Options visionOptions(Args a, long seed) {
    VisionPretraining.Options d = VisionPretraining.Options.demo(seed);
    if (a.get("vision-steps", null) == null) return d;
    return new VisionPretraining.Options(positive(a, "vision-steps", d.steps()), d.imagesPerStep(),
        d.learningRate(), d.evalImages(), seed);
  }

  /** The demo's phase-3 settings, with {@code --fresh-images} (0: none), {@code --fresh-epochs}, {@code --fresh-lr}. */
  private static FreshScenes.Options freshOptions(Args a, long seed) {
    FreshScenes.Options d = FreshScenes.Options.demo(seed);
    int images = a.intValue("fresh-images", d.images());
    if (images < 0) throw new CliException("--fresh-images must be >= 0 (0: no phase 3), got " + images);
    double lr = a.get("fresh-lr", null) == null ? d.learningRate() : a.doubleValue("fresh-lr", 0);
    if (!(lr > 0)) throw new CliException("--fresh-lr must be > 0, got " + lr);
    return new FreshScenes.Options(images, positive(a, "fresh-epochs", d.epochs()), lr, seed);
  }

  static int eval(String[] argv, PrintStream out) throws Exception {
    Args a = new Args("eval", argv, 0, Set.of("model", "data", "images", "limit", "predictions"), Set.of());
    Path model = a.existingDir("model");
    Path data = Args.existingFile("eval", "--data", a.required("data"));
    Path images = a.get("images", null) == null ? data.toAbsolutePath().getParent() : a.existingDir("images");
    String predictions = a.get("predictions", null);
    out.println(evaluate(model, data, images, a.intValue("limit", 0), predictions == null ? null : Path.of(predictions))
        .toJson());
    return 0;
  }

  /** Scores {@code model} on {@code data}; with {@code predictions} non-null every answer is also logged there. */
  private static AccuracyReport evaluate(Path model, Path data, Path images, int limit, Path predictions)
      throws Exception {
    List<QuestionSample> samples = VqaEvaluator.questions(
        LlavaConversationDataset.load(data, images, LlavaConversationDataset.Options.defaults()));
    if (samples.isEmpty()) {
      throw new CliException(data + " has no scored questions (records need meta.types with short-answer or"
          + " multiple-choice entries, as 'bin/llava data shapes' writes them)");
    }
    if (limit > 0 && limit < samples.size()) samples = samples.subList(0, limit);
    int total = samples.size();
    long start = System.nanoTime();
    try (LlavaRuntime runtime = LlavaRuntime.load(model);
        ModelEvaluator evaluator = new ModelEvaluator(runtime, ModelEvaluator.DEFAULT_MAX_NEW_TOKENS);
        PredictionLog log = predictions == null ? null : new PredictionLog(predictions)) {
      AccuracyReport r = evaluator.evaluate(samples, done -> {
        if (done == total || done % 50 == 0) progress.printf("eval %d/%d questions%n", done, total);
      }, log == null ? (s, answer) -> {} : log::record);
      progress.printf("evaluated %d questions in %.1f s%n", total, (System.nanoTime() - start) / 1e9);
      if (predictions != null) progress.printf("every answer: %s%n", predictions);
      return r;
    }
  }

  private static int positive(Args a, String name, int fallback) {
    int v = a.intValue(name, fallback);
    if (v < 1) throw new CliException("--" + name + " must be >= 1, got " + v);
    return v;
  }
}
