package dev.llava.trainer.jobs;

import dev.llava.model.train.AdamW;
import dev.llava.model.train.TrainingSpec;
import dev.llava.model.train.TrainingStage;
import dev.llava.proto.v1.JobSpec;
import dev.llava.proto.v1.Runner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a submitted {@link JobSpec} into the spec a job runs: recipe defaults for every unset field, paths resolved
 * under the allowed roots, and every problem a user can fix (the spec's own {@link TrainingSpec#problems()} plus
 * paths, runner and resource bounds), each naming the field, what was expected and what arrived.
 */
public final class SpecResolver {

  /**
   * The outcome. {@code resolved} is the proto spec with the defaults and absolute paths filled in (what GetJob
   * shows); {@code spec} is what the runner gets. Both are only meaningful when {@code problems} is empty.
   */
  public record Resolution(JobSpec resolved, TrainingSpec spec, List<String> problems) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final PathPolicy paths;
  private final JobLimits limits;
  private final Set<Runner> enabledRunners;

  public SpecResolver(PathPolicy paths, JobLimits limits, Set<Runner> enabledRunners) {
    this.paths = paths;
    this.limits = limits;
    this.enabledRunners = Set.copyOf(enabledRunners);
  }

  public PathPolicy paths() {
    return paths;
  }

  public Resolution resolve(JobSpec in, String jobId) {
    List<String> p = new ArrayList<>();

    String recipe = in.getRecipe().trim();
    TrainingStage stage = stage(in, recipe, p);
    TrainingStage defaultsStage = stage == null ? TrainingStage.STAGE2_INSTRUCT : stage;
    if (recipe.isEmpty()) {
      recipe = Recipes.defaultRecipe(defaultsStage);
    }
    Recipes.Defaults d = Recipes.of(recipe, defaultsStage).orElse(null);
    if (d == null) {
      p.add("recipe must be one of " + Recipes.names() + " (or empty), got \"" + recipe + "\"");
      d = Recipes.of(Recipes.defaultRecipe(defaultsStage), defaultsStage).orElseThrow();
    }

    Runner runner = runner(in, p);

    // Hyper-parameters: 0 means "the recipe's".
    double lr = in.getLearningRate() != 0 ? in.getLearningRate() : d.learningRate();
    int globalBatch = in.getGlobalBatchSize() != 0 ? in.getGlobalBatchSize() : d.globalBatchSize();
    int microBatch = in.getMicroBatchSize() != 0 ? in.getMicroBatchSize()
        : Recipes.microBatchFor(globalBatch, d.microBatchSize());
    int epochs = in.getEpochs() != 0 ? in.getEpochs() : d.epochs();
    double warmup = in.getWarmupRatio() != 0 ? in.getWarmupRatio() : d.warmupRatio();
    double weightDecay = in.getWeightDecay() != 0 ? in.getWeightDecay() : d.weightDecay();
    double adamBeta2 = in.getAdamBeta2() != 0 ? in.getAdamBeta2() : AdamW.DEFAULT_BETA2;
    int maxLength = in.getMaxLength() != 0 ? in.getMaxLength() : d.maxLength();
    boolean rotateTurns = in.hasRotateTurns() ? in.getRotateTurns() : d.rotateTurns();
    bounded(p, "max_steps", in.getMaxSteps(), limits.maxSteps());
    bounded(p, "global_batch_size", globalBatch, limits.maxGlobalBatchSize());
    bounded(p, "micro_batch_size", microBatch, limits.maxMicroBatchSize());
    bounded(p, "max_length", maxLength, limits.maxLength());
    if (in.getGpus() < 0 || in.getGpus() > limits.maxGpus()) {
      p.add("gpus must be 0.." + limits.maxGpus() + ", got " + in.getGpus());
    } else if (in.getGpus() > 0 && runner == Runner.LOCAL) {
      p.add("gpus applies to the KUBERNETES runner (the LOCAL runner uses the trainer's own device), got "
          + in.getGpus() + " with runner LOCAL");
    }

    // Paths: inputs must exist inside the roots, the output is a directory inside the work dir.
    Path data = in.getDataPath().isEmpty() ? null
        : check(p, paths.input("data_path", in.getDataPath(), PathPolicy.Kind.FILE));
    Path imageDir = in.getImageDir().isEmpty() ? null
        : check(p, paths.input("image_dir", in.getImageDir(), PathPolicy.Kind.DIRECTORY));
    Path base = in.getBaseModelDir().isEmpty() ? null
        : check(p, paths.input("base_model_dir", in.getBaseModelDir(), PathPolicy.Kind.DIRECTORY));
    Path resume = in.getResumeFrom().isEmpty() ? null
        : check(p, paths.input("resume_from", in.getResumeFrom(), PathPolicy.Kind.DIRECTORY));
    String outputRaw = in.getOutputDir().isEmpty() ? jobId : in.getOutputDir();
    Path output = check(p, paths.output("output_dir", outputRaw));

    String modelName = in.getModelName().isEmpty() ? jobId : in.getModelName();
    if (!MODEL_NAME.matcher(modelName).matches()) {
      p.add("model_name must be 1..128 of letters, digits, '.', '_' and '-' starting with a letter or digit, got \""
          + modelName + "\"");
    }

    Recipes.Parts parts = Recipes.trainedParts(stage);
    TrainingSpec spec = new TrainingSpec(stage, recipe, base, data, imageDir, output, null, lr, globalBatch,
        microBatch, in.getMaxSteps(), epochs, warmup, weightDecay, adamBeta2, maxLength, rotateTurns, in.getSeed(),
        parts.vision(), parts.projector(), parts.languageModel(), d.gradClip(), resume);
    for (String problem : spec.problems()) {
      // A missing stage is reported once; "base_model_dir is required for null" would only repeat it.
      boolean missingBecauseOfPathProblem = problem.startsWith("data_path is required") && !in.getDataPath().isEmpty()
          || problem.startsWith("output_dir is required") && output == null
          || problem.startsWith("base_model_dir is required") && (stage == null || !in.getBaseModelDir().isEmpty());
      if (!missingBecauseOfPathProblem) {
        p.add(problem);
      }
    }

    JobSpec resolved = in.toBuilder()
        .setStage(stage == null ? in.getStage() : dev.llava.proto.v1.TrainingStage.valueOf(stage.name()))
        .setRunner(runner == null ? in.getRunner() : runner)
        .setRecipe(recipe)
        .setLearningRate(lr).setGlobalBatchSize(globalBatch).setMicroBatchSize(microBatch).setEpochs(epochs)
        .setWarmupRatio(warmup).setWeightDecay(weightDecay).setAdamBeta2(adamBeta2).setMaxLength(maxLength)
        .setRotateTurns(rotateTurns)
        .setDataPath(text(data)).setImageDir(text(imageDir)).setBaseModelDir(text(base))
        .setResumeFrom(text(resume)).setOutputDir(text(output))
        .setModelName(modelName)
        .build();
    return new Resolution(resolved, spec, List.copyOf(new LinkedHashSet<>(p)));
  }

  private static TrainingStage stage(JobSpec in, String recipe, List<String> p) {
    switch (in.getStage()) {
      case STAGE1_ALIGN:
        return TrainingStage.STAGE1_ALIGN;
      case STAGE2_INSTRUCT:
        return TrainingStage.STAGE2_INSTRUCT;
      case ALL_PARTS:
        return TrainingStage.ALL_PARTS;
      case TRAINING_STAGE_UNSPECIFIED:
        TrainingStage implied = Recipes.defaultStage(recipe).orElse(null);
        if (implied == null) {
          p.add("stage is required (STAGE1_ALIGN, STAGE2_INSTRUCT or ALL_PARTS; recipe \"demo\" implies ALL_PARTS)");
        }
        return implied;
      default:
        p.add("stage must be STAGE1_ALIGN, STAGE2_INSTRUCT or ALL_PARTS, got value " + in.getStageValue());
        return null;
    }
  }

  private Runner runner(JobSpec in, List<String> p) {
    Runner runner = switch (in.getRunner()) {
      case RUNNER_UNSPECIFIED, LOCAL -> Runner.LOCAL;
      case KUBERNETES -> Runner.KUBERNETES;
      default -> null;
    };
    if (runner == null) {
      p.add("runner must be LOCAL or KUBERNETES, got value " + in.getRunnerValue());
    } else if (!enabledRunners.contains(runner)) {
      p.add("runner " + runner + " is not enabled on this trainer (enabled: " + enabledRunners.stream().sorted()
          .toList() + ")");
    }
    return runner;
  }

  private static void bounded(List<String> p, String field, int value, int max) {
    if (value > max) {
      p.add(field + " must be at most " + max + " on this trainer, got " + value);
    }
  }

  private static Path check(List<String> p, PathPolicy.Checked checked) {
    if (checked.problem() != null) {
      p.add(checked.problem());
    }
    return checked.path();
  }

  private static String text(Path path) {
    return path == null ? "" : path.toString();
  }
}
