package dev.llava.model.train;

import java.nio.file.Path;

/** Fills a {@link TrainingSpec} field by field; {@link Recipes} hands out builders preset to a recipe. */
public final class TrainingSpecBuilder {
  TrainingStage stage;
  String recipe;
  Path baseModelDir;
  Path dataPath;
  Path imageDir;
  Path outputDir;
  String template;
  double learningRate;
  int globalBatchSize;
  int microBatchSize;
  int maxSteps;
  int epochs = 1;
  double warmupRatio;
  double weightDecay;
  double adamBeta2 = AdamW.DEFAULT_BETA2;
  int maxLength = 2048;
  boolean rotateTurns;
  long seed;
  boolean trainVision;
  boolean trainProjector;
  boolean trainLanguageModel;
  double gradClip = 1.0;
  Path resumeFrom;

  public TrainingSpecBuilder() {}

  /** A builder holding every field of {@code spec}, to change some and build again. */
  public static TrainingSpecBuilder from(TrainingSpec spec) {
    TrainingSpecBuilder b = new TrainingSpecBuilder();
    b.stage = spec.stage();
    b.recipe = spec.recipe();
    b.baseModelDir = spec.baseModelDir();
    b.dataPath = spec.dataPath();
    b.imageDir = spec.imageDir();
    b.outputDir = spec.outputDir();
    b.template = spec.template();
    b.learningRate = spec.learningRate();
    b.globalBatchSize = spec.globalBatchSize();
    b.microBatchSize = spec.microBatchSize();
    b.maxSteps = spec.maxSteps();
    b.epochs = spec.epochs();
    b.warmupRatio = spec.warmupRatio();
    b.weightDecay = spec.weightDecay();
    b.adamBeta2 = spec.adamBeta2();
    b.maxLength = spec.maxLength();
    b.rotateTurns = spec.rotateTurns();
    b.seed = spec.seed();
    b.trainVision = spec.trainVision();
    b.trainProjector = spec.trainProjector();
    b.trainLanguageModel = spec.trainLanguageModel();
    b.gradClip = spec.gradClip();
    b.resumeFrom = spec.resumeFrom();
    return b;
  }

  /** Sets the stage and its default trained parts (stage 1: projector; stage 2: projector + LLM; all). */
  public TrainingSpecBuilder stage(TrainingStage s) {
    this.stage = s;
    this.trainVision = s == TrainingStage.ALL_PARTS;
    this.trainProjector = true;
    this.trainLanguageModel = s != TrainingStage.STAGE1_ALIGN;
    return this;
  }

  public TrainingSpecBuilder recipe(String v) { this.recipe = v; return this; }
  public TrainingSpecBuilder baseModelDir(Path v) { this.baseModelDir = v; return this; }
  public TrainingSpecBuilder dataPath(Path v) { this.dataPath = v; return this; }
  public TrainingSpecBuilder imageDir(Path v) { this.imageDir = v; return this; }
  public TrainingSpecBuilder outputDir(Path v) { this.outputDir = v; return this; }
  public TrainingSpecBuilder template(String v) { this.template = v; return this; }
  public TrainingSpecBuilder learningRate(double v) { this.learningRate = v; return this; }
  public TrainingSpecBuilder maxSteps(int v) { this.maxSteps = v; return this; }
  public TrainingSpecBuilder epochs(int v) { this.epochs = v; return this; }
  public TrainingSpecBuilder warmupRatio(double v) { this.warmupRatio = v; return this; }
  public TrainingSpecBuilder weightDecay(double v) { this.weightDecay = v; return this; }
  public TrainingSpecBuilder adamBeta2(double v) { this.adamBeta2 = v; return this; }
  public TrainingSpecBuilder maxLength(int v) { this.maxLength = v; return this; }
  public TrainingSpecBuilder rotateTurns(boolean v) { this.rotateTurns = v; return this; }
  public TrainingSpecBuilder seed(long v) { this.seed = v; return this; }
  public TrainingSpecBuilder trainVision(boolean v) { this.trainVision = v; return this; }
  public TrainingSpecBuilder trainProjector(boolean v) { this.trainProjector = v; return this; }
  public TrainingSpecBuilder trainLanguageModel(boolean v) { this.trainLanguageModel = v; return this; }
  public TrainingSpecBuilder gradClip(double v) { this.gradClip = v; return this; }
  public TrainingSpecBuilder resumeFrom(Path v) { this.resumeFrom = v; return this; }

  /** Global batch; the micro-batch shrinks to fit when it no longer divides it. */
  public TrainingSpecBuilder globalBatchSize(int v) {
    this.globalBatchSize = v;
    if (microBatchSize > 0 && (microBatchSize > v || v % microBatchSize != 0)) microBatchSize = largestDivisor(v, microBatchSize);
    return this;
  }

  public TrainingSpecBuilder microBatchSize(int v) { this.microBatchSize = v; return this; }

  public TrainingSpec build() {
    return new TrainingSpec(stage, recipe, baseModelDir, dataPath, imageDir, outputDir, template, learningRate,
        globalBatchSize, microBatchSize, maxSteps, epochs, warmupRatio, weightDecay, adamBeta2, maxLength, rotateTurns,
        seed, trainVision, trainProjector, trainLanguageModel, gradClip, resumeFrom);
  }

  /** The largest divisor of {@code n} that is at most {@code max}. */
  static int largestDivisor(int n, int max) {
    for (int d = Math.min(n, max); d > 1; d--) if (n % d == 0) return d;
    return 1;
  }
}
