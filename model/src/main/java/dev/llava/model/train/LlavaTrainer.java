package dev.llava.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.llava.model.checkpoint.CheckpointLoader;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.data.LlavaConversationDataset;
import dev.llava.model.image.LlavaImageProcessor;
import dev.llava.model.image.PixelValues;
import dev.llava.model.nn.Devices;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.model.text.ChatTemplate;
import dev.llava.model.text.LlavaTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/**
 * The in-JVM trainer: LLaVA's recipe on DJL autograd. One optimizer step = one global batch of one modality
 * (image or text-only), split into micro-batches whose gradients accumulate; the loss is the mean cross-entropy
 * over the global batch's assistant tokens (each micro-batch's token-loss sum divided by the global count, so
 * accumulation gives exactly the global mean). Then global-norm clipping, AdamW, the cosine schedule's next rate.
 *
 * <p>Native memory is scoped per step (everything a step creates is freed before the next one); the weights,
 * optimizer state and RoPE tables are the only long-lived tensors. Cancellation is checked between steps and
 * still writes a resumable checkpoint of the steps done. At the end {@code outputDir} holds a Hugging Face
 * checkpoint, {@code trainer_state.json} + {@code optimizer.safetensors} (for {@code resumeFrom}),
 * {@code metrics.jsonl} and {@code loss.svg}.
 *
 * <p>PyTorch allows one gradient collector per JVM at a time, so concurrent runs take turns step by step.
 */
public final class LlavaTrainer implements TrainingRunner {
  /** Pixel cache budget in MiB (system property), default a third of the max heap up to 2 GiB. */
  public static final String PIXEL_CACHE_PROPERTY = "llava.train.pixelCacheMb";
  // shared with VisionPretraining: one gradient collector per JVM at a time
  static final ReentrantLock COLLECTOR = new ReentrantLock();
  private static final String INIT_DIR = ".init";

  /** Sees the trainer's root manager after every step (tests count the native arrays still alive). */
  interface StepObserver {
    void afterStep(int step, NDManager root);
  }

  private final StepObserver observer;
  private final LongFunction<VisionPretraining.Options> demoVision;
  private final LongFunction<FreshScenes.Options> demoFresh;

  public LlavaTrainer() {
    this(null, VisionPretraining.Options::demo, FreshScenes.Options::demo);
  }

  LlavaTrainer(StepObserver observer) {
    this(observer, VisionPretraining.Options::demo, FreshScenes.Options::demo);
  }

  /**
   * @param demoVision phase 1's settings, by seed, for specs {@link DemoCurriculum#appliesTo}
   * @param demoFresh phase 3's settings, by seed, for the same specs
   */
  LlavaTrainer(StepObserver observer, LongFunction<VisionPretraining.Options> demoVision,
      LongFunction<FreshScenes.Options> demoFresh) {
    this.observer = observer;
    this.demoVision = demoVision;
    this.demoFresh = demoFresh;
  }

  @Override
  public TrainingResult run(TrainingSpec spec, TrainingListener listener, BooleanSupplier cancelled)
      throws Exception {
    if (DemoCurriculum.appliesTo(spec)) {
      return DemoCurriculum.run(TrainingSpecBuilder.from(spec), demoVision.apply(spec.seed()),
          demoFresh.apply(spec.seed()), listener, cancelled);
    }
    List<String> problems = spec.problems();
    if (!problems.isEmpty()) throw new IllegalArgumentException("invalid training spec: " + String.join("; ", problems));
    Path out = spec.outputDir();
    Files.createDirectories(out);
    Path imageDir = spec.imageDir() != null ? spec.imageDir() : spec.dataPath().toAbsolutePath().getParent();
    LlavaConversationDataset dataset =
        LlavaConversationDataset.load(spec.dataPath(), imageDir, LlavaConversationDataset.Options.defaults());
    listener.onLog("read " + spec.dataPath() + ": " + dataset.report().valid() + " valid of "
        + dataset.report().records() + " records" + (dataset.report().bad() > 0
            ? ", bad records skipped: " + dataset.report().toJson().replaceAll("\\s+", " ") : ""));

    TrainerState resumed = spec.resumeFrom() == null ? null : TrainerState.read(spec.resumeFrom());
    Path source;
    Path init = null;
    if (resumed != null) {
      source = spec.resumeFrom();
    } else if (spec.baseModelDir() != null) {
      source = spec.baseModelDir();
    } else {
      init = out.resolve(INIT_DIR);
      source = Recipes.createFreshModel(spec, dataset, init);
      listener.onLog("created a fresh model for recipe '" + spec.recipe() + "' (seed " + spec.seed() + ")");
    }
    try {
      return train(spec, listener, cancelled, dataset, source, resumed);
    } finally {
      if (init != null) deleteTree(init);
    }
  }

  private TrainingResult train(TrainingSpec spec, TrainingListener listener, BooleanSupplier cancelled,
      LlavaConversationDataset dataset, Path source, TrainerState resumed) throws Exception {
    Path out = spec.outputDir();
    LlavaConfig config = LlavaConfig.load(source);
    LlavaImageProcessor processor = LlavaRuntime.imageProcessor(source, config);
    try (LlavaTokenizer tokenizer = LlavaTokenizer.load(source);
        NDManager root = NDManager.newBaseManager(Devices.preferred())) {
      ChatTemplate template = template(spec, source);
      TrainingData data = TrainingData.encode(dataset, spec.rotateTurns(),
          new SampleEncoder(tokenizer, template, processor, spec.maxLength()));
      listener.onLog(data.summary() + "; template " + template.name()
          + (spec.rotateTurns() ? "; turns rotated (every question of an image record also asked first)" : ""));
      data.skipReasons().forEach((id, why) -> listener.onLog("skipped record " + id + ": " + why));
      if (data.samples().isEmpty()) throw new IllegalArgumentException(spec.dataPath() + ": no usable samples");

      BatchPlanner planner = new BatchPlanner(data.samples(), spec.globalBatchSize(), spec.seed());
      int total = spec.maxSteps() > 0 ? spec.maxSteps() : spec.epochs() * planner.batchesPerEpoch();
      int start = resumed == null ? 0 : resumed.globalStep();
      if (resumed != null) checkResume(resumed, data, total, listener);
      CosineSchedule schedule = CosineSchedule.of(spec.learningRate(), total, spec.warmupRatio());
      Set<ModelPart> parts = trainedParts(spec);

      try (LlavaWeights weights = CheckpointLoader.load(source, config, root, ModelPart.all());
          TrainingForward forward = new TrainingForward(weights, root);
          PixelSource pixels = new PixelSource(processor, pixelCacheBytes())) {
        List<TrainableParameters.Parameter> params = TrainableParameters.of(weights).of(parts);
        params.forEach(p -> p.array().setRequiresGradient(true));
        listener.onLog(String.format("training %s: %,d parameters; %d steps (%d per epoch), global batch %d = %d"
            + " micro x %d accumulation, lr %.2g, warmup %d steps", parts, TrainableParameters.count(params), total,
            planner.batchesPerEpoch(), spec.globalBatchSize(), spec.microBatchSize(),
            spec.globalBatchSize() / spec.microBatchSize(), spec.learningRate(), schedule.warmupSteps()));
        try (AdamW optimizer = new AdamW(params, AdamW.DEFAULT_BETA1, spec.adamBeta2(), AdamW.DEFAULT_EPS,
            spec.weightDecay(), root)) {
          if (resumed != null) {
            optimizer.load(spec.resumeFrom().resolve(TrainerState.OPTIMIZER_FILE));
            listener.onLog("resumed from " + spec.resumeFrom() + " at step " + start + " of " + total);
          }
          List<MetricsLog.Entry> history = resumed == null ? List.of() : MetricsLog.read(spec.resumeFrom(), start);
          long elapsedBefore = resumed == null ? 0 : resumed.elapsedMillis();
          Loop loop = new Loop(spec, listener, planner, forward, optimizer, pixels, schedule, parts, total, root,
              observer);
          int done;
          try (MetricsLog metrics = MetricsLog.create(out, history)) {
            done = loop.run(start, cancelled, metrics, elapsedBefore);
            if (done == start && resumed == null) {
              listener.onLog("cancelled before the first step; no checkpoint written");
              return new TrainingResult(null, 0, Double.NaN, true, data.unusable());
            }
            CheckpointWriter.write(weights, source, out);
            optimizer.save(out.resolve(TrainerState.OPTIMIZER_FILE));
            new TrainerState(done, total, planner.batchesPerEpoch(), spec.seed(), data.fingerprint(), parts,
                loop.lastLoss, elapsedBefore + loop.elapsedMillis).write(out);
            LossPlot.write(metrics.entries(), title(spec, config), out.resolve(LossPlot.FILE));
          } finally {
            params.forEach(p -> p.array().setRequiresGradient(false));
          }
          listener.onCheckpoint(out, done);
          return new TrainingResult(out, done, loop.lastLoss, done < total, data.unusable());
        }
      }
    }
  }

  /** The step loop and its running figures. */
  private static final class Loop {
    final TrainingSpec spec;
    final TrainingListener listener;
    final BatchPlanner planner;
    final TrainingForward forward;
    final AdamW optimizer;
    final PixelSource pixels;
    final CosineSchedule schedule;
    final Set<ModelPart> parts;
    final int total;
    final NDManager root;
    final StepObserver observer;
    double lastLoss = Double.NaN;
    long elapsedMillis;

    Loop(TrainingSpec spec, TrainingListener listener, BatchPlanner planner, TrainingForward forward,
        AdamW optimizer, PixelSource pixels, CosineSchedule schedule, Set<ModelPart> parts, int total,
        NDManager root, StepObserver observer) {
      this.spec = spec;
      this.listener = listener;
      this.planner = planner;
      this.forward = forward;
      this.optimizer = optimizer;
      this.pixels = pixels;
      this.schedule = schedule;
      this.parts = parts;
      this.total = total;
      this.root = root;
      this.observer = observer;
    }

    /** Runs steps [start, total) until cancelled; returns the number of steps done in total. */
    int run(int start, BooleanSupplier cancelled, MetricsLog metrics, long elapsedBefore) throws IOException {
      long t0 = System.nanoTime();
      CompletableFuture<List<PixelValues>> next = start < total ? pixels.prefetch(samples(start)) : null;
      int step = start;
      while (step < total && !cancelled.getAsBoolean()) {
        List<EncodedSample> batch = samples(step);
        List<PixelValues> px = next.join();
        next = step + 1 < total ? pixels.prefetch(samples(step + 1)) : null;
        long stepStart = System.nanoTime();
        double[] lossAndNorm = step(batch, px, schedule.at(step));
        step++;
        double seconds = (System.nanoTime() - stepStart) / 1e9;
        elapsedMillis = (System.nanoTime() - t0) / 1_000_000;
        lastLoss = lossAndNorm[0];
        long tokens = batch.stream().mapToLong(EncodedSample::length).sum();
        TrainingProgress progress = new TrainingProgress(step, total, lastLoss, schedule.at(step - 1),
            batch.size() / seconds, lossAndNorm[1], elapsedBefore + elapsedMillis);
        metrics.append(new MetricsLog.Entry(step, total, (double) step / planner.batchesPerEpoch(), lastLoss,
            progress.learningRate(), lossAndNorm[1], progress.samplesPerSecond(), tokens, progress.elapsedMillis()));
        listener.onStep(progress);
        if (observer != null) observer.afterStep(step, root);
      }
      if (next != null) next.cancel(true);
      return step;
    }

    /** One optimizer step over a global batch; returns {mean token loss, gradient norm}. */
    private double[] step(List<EncodedSample> batch, List<PixelValues> px, double lr) {
      int targets = batch.stream().mapToInt(EncodedSample::targetCount).sum();
      boolean images = batch.stream().anyMatch(EncodedSample::hasImage);
      // parts a text-only batch never reaches get no gradient and, as torch does for grad None, no update
      Set<ModelPart> reached = EnumSet.copyOf(parts);
      if (!images) reached.removeAll(EnumSet.of(ModelPart.VISION, ModelPart.PROJECTOR));
      double lossSum = 0;
      COLLECTOR.lock();
      try (NDManager scope = root.newSubManager()) { // everything this step creates, freed at its end
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          List<Integer> all = new ArrayList<>();
          for (int i = 0; i < batch.size(); i++) all.add(i);
          for (List<Integer> micro : BatchPlanner.micro(all, spec.microBatchSize())) {
            try (NDManager microScope = scope.newSubManager()) {
              TrainingBatch tb = new TrainingBatch(micro.stream().map(batch::get).toList(),
                  micro.stream().map(px::get).toList());
              NDArray loss = forward.lossSum(tb, microScope);
              if (!reached.isEmpty() && tb.targetCount() > 0) collector.backward(loss.mul(Activations.scalar(loss, 1f / targets)));
              lossSum += loss.getFloat();
            }
          }
        }
        double norm = optimizer.step(lr, spec.gradClip(), reached, scope);
        return new double[] {lossSum / Math.max(1, targets), norm};
      } finally {
        COLLECTOR.unlock();
      }
    }

    private List<EncodedSample> samples(int step) {
      return planner.batch(step).stream().map(planner.samples()::get).toList();
    }
  }

  /** The template a spec asks for: named, else plain for stage 1, else the checkpoint's own or vicuna_v1. */
  static ChatTemplate template(TrainingSpec spec, Path source) throws IOException {
    if (spec.template() != null && !spec.template().isEmpty()) return ChatTemplate.named(spec.template());
    if (spec.stage() == TrainingStage.STAGE1_ALIGN) return ChatTemplate.named("plain");
    return ChatTemplate.fromCheckpoint(source).orElse(ChatTemplate.named(LlavaRuntime.DEFAULT_TEMPLATE));
  }

  static Set<ModelPart> trainedParts(TrainingSpec spec) {
    Set<ModelPart> parts = EnumSet.noneOf(ModelPart.class);
    if (spec.trainVision()) parts.add(ModelPart.VISION);
    if (spec.trainProjector()) parts.add(ModelPart.PROJECTOR);
    if (spec.trainLanguageModel()) parts.add(ModelPart.TEXT);
    return parts;
  }

  private static void checkResume(TrainerState state, TrainingData data, int total, TrainingListener listener) {
    if (!state.dataFingerprint().equals(data.fingerprint())) {
      listener.onLog("warning: the data differs from the run being resumed (fingerprint " + data.fingerprint()
          + ", was " + state.dataFingerprint() + "); the loss curve will not continue exactly");
    }
    if (state.totalSteps() != total) {
      listener.onLog("note: the resumed run was planned for " + state.totalSteps() + " steps, this one for " + total
          + "; the learning-rate schedule follows the new total");
    }
  }

  private static long pixelCacheBytes() {
    String configured = System.getProperty(PIXEL_CACHE_PROPERTY);
    if (configured != null) return Long.parseLong(configured) << 20;
    return Math.min(2L << 30, Runtime.getRuntime().maxMemory() / 3);
  }

  private static String title(TrainingSpec spec, LlavaConfig config) {
    return "LLaVA " + (spec.recipe() == null ? spec.stage().name() : spec.recipe() + " / " + spec.stage().name())
        + " (" + config.modelType().hfName() + ", text hidden " + config.textConfig().hiddenSize() + ")";
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
