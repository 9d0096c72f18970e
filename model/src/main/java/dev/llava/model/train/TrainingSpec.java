package dev.llava.model.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a training run needs; recipes fill in what a user leaves unset. LLaVA-1.5 defaults: stage 1 lr 1e-3,
 * global batch 256; stage 2 lr 2e-5, global batch 128; both 1 epoch, cosine schedule, warmup ratio 0.03, weight
 * decay 0, max length 2048.
 *
 * @param baseModelDir checkpoint to start from; null only for {@link TrainingStage#ALL_PARTS} with a recipe that
 *     creates the model
 * @param dataPath LLaVA conversation JSON
 * @param imageDir folder that {@code image} paths are relative to (null: the data file's folder)
 * @param outputDir where the HF-layout checkpoint, metrics log and loss plot are written
 * @param template conversation template for rendering (null: plain for stage 1, the checkpoint's or vicuna_v1)
 * @param maxSteps stop after this many optimizer steps (0: run the epochs)
 * @param trainVision / trainProjector / trainLanguageModel which parts receive gradients
 * @param adamBeta2 AdamW's second-moment decay ({@code adam_beta2}, 0.999 as in PyTorch and HF unless set)
 * @param rotateTurns train every multi-question image record once per question, each question first in turn
 *     ({@link dev.llava.model.data.TurnRotations}); off in every recipe unless set
 * @param gradClip max global gradient norm (0 disables)
 * @param resumeFrom a checkpoint written by an earlier run of this spec, to continue its loss curve
 */
public record TrainingSpec(
    TrainingStage stage,
    String recipe,
    Path baseModelDir,
    Path dataPath,
    Path imageDir,
    Path outputDir,
    String template,
    double learningRate,
    int globalBatchSize,
    int microBatchSize,
    int maxSteps,
    int epochs,
    double warmupRatio,
    double weightDecay,
    double adamBeta2,
    int maxLength,
    boolean rotateTurns,
    long seed,
    boolean trainVision,
    boolean trainProjector,
    boolean trainLanguageModel,
    double gradClip,
    Path resumeFrom) {

  /** Problems a user can fix, each naming the field and the allowed range; empty when valid. */
  public List<String> problems() {
    List<String> p = new ArrayList<>();
    if (stage == null) p.add("stage is required (STAGE1_ALIGN, STAGE2_INSTRUCT or ALL_PARTS)");
    if (dataPath == null) p.add("data_path is required (a LLaVA conversation JSON file)");
    if (outputDir == null) p.add("output_dir is required");
    if (baseModelDir == null && stage != TrainingStage.ALL_PARTS) {
      p.add("base_model_dir is required for " + stage + " (only ALL_PARTS may start from a recipe's fresh model)");
    }
    if (!(learningRate > 0 && learningRate <= 1)) p.add("learning_rate must be in (0, 1], got " + learningRate);
    if (globalBatchSize < 1 || globalBatchSize > 4096) p.add("global_batch_size must be 1..4096, got " + globalBatchSize);
    if (microBatchSize < 1 || microBatchSize > globalBatchSize) {
      p.add("micro_batch_size must be 1..global_batch_size (" + globalBatchSize + "), got " + microBatchSize);
    } else if (globalBatchSize % microBatchSize != 0) {
      p.add("global_batch_size " + globalBatchSize + " must be a multiple of micro_batch_size " + microBatchSize);
    }
    if (maxSteps < 0) p.add("max_steps must be >= 0, got " + maxSteps);
    if (epochs < 1 || epochs > 1000) p.add("epochs must be 1..1000, got " + epochs);
    if (warmupRatio < 0 || warmupRatio >= 1) p.add("warmup_ratio must be in [0, 1), got " + warmupRatio);
    if (weightDecay < 0 || weightDecay > 1) p.add("weight_decay must be in [0, 1], got " + weightDecay);
    if (!(adamBeta2 > 0 && adamBeta2 < 1)) p.add("adam_beta2 must be in (0, 1), got " + adamBeta2);
    if (maxLength < 16 || maxLength > 131072) p.add("max_length must be 16..131072, got " + maxLength);
    if (gradClip < 0) p.add("grad_clip must be >= 0, got " + gradClip);
    if (!trainVision && !trainProjector && !trainLanguageModel) p.add("at least one part must train");
    return p;
  }
}
