package dev.llava.model.train;

import java.nio.file.Path;

/**
 * How a run ended.
 *
 * @param checkpointDir the final checkpoint (HF layout), or null when cancelled before the first
 * @param cancelled true when the run stopped because it was asked to
 */
public record TrainingResult(Path checkpointDir, int steps, double finalLoss, boolean cancelled,
    int skippedRecords) {}
