package dev.llava.model.train;

/**
 * One optimizer step's figures.
 *
 * @param step optimizer steps done (1-based)
 * @param totalSteps steps planned
 * @param loss mean token loss of the step's global batch
 * @param learningRate the rate used for this step (after warmup / cosine)
 * @param samplesPerSecond throughput of this step
 * @param gradNorm global gradient norm before clipping
 */
public record TrainingProgress(int step, int totalSteps, double loss, double learningRate, double samplesPerSecond,
    double gradNorm, long elapsedMillis) {}
