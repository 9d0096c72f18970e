package dev.llava.trainer.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.train.TrainingSpec;
import dev.llava.proto.v1.JobSpec;
import dev.llava.proto.v1.Runner;
import dev.llava.proto.v1.TrainingStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecResolverTest {
  @TempDir Path tmp;
  Path work;
  Path datasets;
  Path data;
  Path base;
  SpecResolver resolver;

  @BeforeEach
  void roots() throws IOException {
    work = Files.createDirectories(tmp.resolve("work")).toRealPath();
    datasets = Files.createDirectories(tmp.resolve("datasets")).toRealPath();
    data = Files.writeString(datasets.resolve("train.json"), "[]");
    base = Files.createDirectories(datasets.resolve("llava-1.5-7b"));
    resolver = new SpecResolver(new PathPolicy(work, List.of(datasets)), JobLimits.DEFAULT, Set.of(Runner.LOCAL));
  }

  @Test
  void stageOneGetsThePapersAlignmentRecipe() {
    SpecResolver.Resolution r = resolve(JobSpec.newBuilder().setStage(TrainingStage.STAGE1_ALIGN)
        .setBaseModelDir(base.toString()).setDataPath(data.toString()));
    assertEquals(List.of(), r.problems());
    TrainingSpec s = r.spec();
    assertEquals(1e-3, s.learningRate());
    assertEquals(256, s.globalBatchSize());
    assertEquals(32, s.microBatchSize());
    assertEquals(1, s.epochs());
    assertEquals(0.03, s.warmupRatio());
    assertEquals(0.0, s.weightDecay());
    assertEquals(2048, s.maxLength());
    assertEquals(List.of(false, true, false), List.of(s.trainVision(), s.trainProjector(), s.trainLanguageModel()));
    assertEquals("llava-1.5", s.recipe());
    assertEquals(work.resolve("job-x"), s.outputDir());
    assertEquals(Runner.LOCAL, r.resolved().getRunner());
    assertEquals("job-x", r.resolved().getModelName(), "the model is announced under the job id by default");
    assertEquals(256, r.resolved().getGlobalBatchSize(), "GetJob shows the defaults that were filled in");
  }

  @Test
  void adamBeta2DefaultsToPyTorchsAndIsChecked() {
    JobSpec.Builder spec = JobSpec.newBuilder().setStage(TrainingStage.STAGE2_INSTRUCT)
        .setBaseModelDir(base.toString()).setDataPath(data.toString());
    assertEquals(0.999, resolve(spec).spec().adamBeta2());
    assertEquals(0.999, resolve(spec).resolved().getAdamBeta2(), "GetJob shows the default that was filled in");
    assertEquals(0.95, resolve(spec.setAdamBeta2(0.95)).spec().adamBeta2());
    assertEquals(List.of("adam_beta2 must be in (0, 1), got 1.5"), resolve(spec.setAdamBeta2(1.5)).problems());
  }

  @Test
  void turnRotationFollowsTheRecipeUnlessSet() {
    JobSpec.Builder paper = JobSpec.newBuilder().setStage(TrainingStage.STAGE2_INSTRUCT)
        .setBaseModelDir(base.toString()).setDataPath(data.toString());
    assertFalse(resolve(paper).spec().rotateTurns(), "llava-1.5 trains records as they are");
    assertTrue(resolve(paper.setRotateTurns(true)).spec().rotateTurns());
    JobSpec.Builder demo = JobSpec.newBuilder().setRecipe("demo").setDataPath(data.toString());
    assertTrue(resolve(demo).spec().rotateTurns(), "the demo's default: see Recipes.DEMO_ROTATE_TURNS");
    assertTrue(resolve(demo).resolved().hasRotateTurns(), "GetJob shows the default that was filled in");
    assertFalse(resolve(demo.setRotateTurns(false)).spec().rotateTurns(), "an explicit false is kept");
  }

  @Test
  void stageTwoGetsTheInstructionTuningRecipeAndTrainsTheLanguageModel() {
    TrainingSpec s = resolve(JobSpec.newBuilder().setStage(TrainingStage.STAGE2_INSTRUCT)
        .setBaseModelDir(base.toString()).setDataPath(data.toString())).spec();
    assertEquals(2e-5, s.learningRate());
    assertEquals(128, s.globalBatchSize());
    assertEquals(16, s.microBatchSize());
    assertEquals(List.of(false, true, true), List.of(s.trainVision(), s.trainProjector(), s.trainLanguageModel()));
  }

  @Test
  void theDemoRecipeAloneMeansAllPartsFromScratch() {
    SpecResolver.Resolution r = resolve(JobSpec.newBuilder().setRecipe("demo").setDataPath(data.toString()));
    assertEquals(List.of(), r.problems());
    assertEquals(dev.llava.model.train.TrainingStage.ALL_PARTS, r.spec().stage());
    assertNull(r.spec().baseModelDir());
    assertEquals("demo", r.spec().recipe());
    assertTrue(r.spec().trainVision() && r.spec().trainProjector() && r.spec().trainLanguageModel());
    assertEquals(dev.llava.model.train.Recipes.DEMO_LEARNING_RATE, r.spec().learningRate(), "bin/llava's demo");
    assertEquals(dev.llava.model.train.Recipes.DEMO_GLOBAL_BATCH, r.spec().globalBatchSize());
    assertEquals(dev.llava.model.train.Recipes.DEMO_MAX_LENGTH, r.spec().maxLength());
  }

  @Test
  void setFieldsWinAndTheMicroBatchDividesTheGlobalOne() {
    TrainingSpec s = resolve(JobSpec.newBuilder().setStage(TrainingStage.STAGE1_ALIGN)
        .setBaseModelDir(base.toString()).setDataPath(data.toString()).setLearningRate(5e-4)
        .setGlobalBatchSize(48).setMaxLength(1024).setEpochs(2).setWarmupRatio(0.1).setSeed(7)).spec();
    assertEquals(5e-4, s.learningRate());
    assertEquals(48, s.globalBatchSize());
    assertEquals(24, s.microBatchSize(), "the largest divisor of 48 not above the recipe's 32");
    assertEquals(1024, s.maxLength());
    assertEquals(2, s.epochs());
    assertEquals(0.1, s.warmupRatio());
    assertEquals(7, s.seed());
    assertEquals(7, Recipes.microBatchFor(7, 32), "a prime at most the recipe's is its own micro batch");
    assertEquals(1, Recipes.microBatchFor(37, 32));
  }

  @Test
  void everyProblemIsNamedAtOnce() {
    SpecResolver.Resolution r = resolve(JobSpec.newBuilder().setRecipe("llava-2").setLearningRate(-1)
        .setGlobalBatchSize(12).setMicroBatchSize(5).setMaxSteps(2_000_000).setGpus(9).setWarmupRatio(1.5)
        .setRunner(Runner.KUBERNETES).setModelName("bad name!").setMaxLength(8));
    assertEquals(List.of(
        "stage is required (STAGE1_ALIGN, STAGE2_INSTRUCT or ALL_PARTS; recipe \"demo\" implies ALL_PARTS)",
        "recipe must be one of [llava-1.5, demo] (or empty), got \"llava-2\"",
        "runner KUBERNETES is not enabled on this trainer (enabled: [LOCAL])",
        "max_steps must be at most 1000000 on this trainer, got 2000000",
        "gpus must be 0..8, got 9",
        "model_name must be 1..128 of letters, digits, '.', '_' and '-' starting with a letter or digit,"
            + " got \"bad name!\"",
        "stage is required (STAGE1_ALIGN, STAGE2_INSTRUCT or ALL_PARTS)",
        "data_path is required (a LLaVA conversation JSON file)",
        "learning_rate must be in (0, 1], got -1.0",
        "global_batch_size 12 must be a multiple of micro_batch_size 5",
        "warmup_ratio must be in [0, 1), got 1.5",
        "max_length must be 16..131072, got 8"), r.problems());
  }

  @Test
  void gpusAreForKubernetesJobs() {
    SpecResolver.Resolution r = resolve(JobSpec.newBuilder().setRecipe("demo").setDataPath(data.toString())
        .setGpus(1));
    assertEquals(List.of("gpus applies to the KUBERNETES runner (the LOCAL runner uses the trainer's own device),"
        + " got 1 with runner LOCAL"), r.problems());
  }

  @Test
  void baseModelIsRequiredForTheRecipeStages() {
    SpecResolver.Resolution r = resolve(JobSpec.newBuilder().setStage(TrainingStage.STAGE2_INSTRUCT)
        .setDataPath(data.toString()));
    assertEquals(List.of("base_model_dir is required for STAGE2_INSTRUCT (only ALL_PARTS may start from a recipe's"
        + " fresh model)"), r.problems());
  }

  @Test
  void aRelativePathEscapingTheWorkDirIsRejected() {
    List<String> p = resolve(demo().setDataPath("../../../etc/passwd")).problems();
    assertEquals(List.of("data_path ../../../etc/passwd escapes the allowed roots: expected a path inside the work dir"
        + " or data roots [" + work + ", " + datasets + "], found /etc/passwd"), p);
    assertEquals(List.of("output_dir ../out escapes the allowed roots: expected a path inside the work dir " + work
        + ", found " + work.getParent().resolve("out")), resolve(demo().setOutputDir("../out")).problems());
  }

  @Test
  void anAbsolutePathOutsideTheRootsIsRejected() {
    assertTrue(resolve(demo().setImageDir("/etc")).problems().get(0)
        .startsWith("image_dir /etc is outside the allowed roots"));
    assertTrue(resolve(demo().setOutputDir(datasets.resolve("out").toString())).problems().get(0)
        .startsWith("output_dir " + datasets.resolve("out") + " is outside the allowed roots: expected a path"
            + " inside the work dir " + work), "outputs go only under the work dir, not the data roots");
    assertTrue(resolve(demo().setDataPath(datasets + "/../work/../../x.json")).problems().get(0)
        .contains("is outside the allowed roots"), "normalized before the check");
  }

  @Test
  void aSymbolicLinkOutOfTheRootsIsRejected() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.json"), "[]");
    Files.createSymbolicLink(work.resolve("link"), outside);
    assertEquals(List.of("data_path link/secret.json resolves through a symbolic link to "
        + outside.resolve("secret.json") + ", outside the work dir or data roots [" + work + ", " + datasets + "]"),
        resolve(demo().setDataPath("link/secret.json")).problems());
    assertTrue(resolve(demo().setOutputDir("link/new-run")).problems().get(0)
        .startsWith("output_dir link/new-run resolves through a symbolic link to " + outside.resolve("new-run")));
  }

  @Test
  void relativeInputsResolveAgainstTheWorkDirAndMustExist() throws IOException {
    Files.createDirectories(work.resolve("data"));
    Files.writeString(work.resolve("data/mine.json"), "[]");
    SpecResolver.Resolution ok = resolve(demo().setDataPath("data/./mine.json").setOutputDir("runs/1"));
    assertEquals(List.of(), ok.problems());
    assertEquals(work.resolve("data/mine.json"), ok.spec().dataPath());
    assertEquals(work.resolve("runs/1").toString(), ok.resolved().getOutputDir());

    assertEquals(List.of("data_path data: expected an existing file, found a directory at " + work.resolve("data")),
        resolve(demo().setDataPath("data")).problems());
    assertEquals(List.of("base_model_dir missing: expected an existing directory, found nothing at "
        + work.resolve("missing")), resolve(demo().setBaseModelDir("missing")).problems());
    assertEquals(List.of("output_dir .: expected a sub-directory of the work dir " + work + ", found the work dir"
        + " itself"), resolve(demo().setOutputDir(".")).problems());
    assertFalse(resolve(demo().setResumeFrom("data")).problems().size() > 0, "resume_from is a directory");
  }

  private JobSpec.Builder demo() {
    return JobSpec.newBuilder().setRecipe("demo").setDataPath(data.toString());
  }

  private SpecResolver.Resolution resolve(JobSpec.Builder spec) {
    return resolver.resolve(spec.build(), "job-x");
  }
}
