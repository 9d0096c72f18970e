package dev.llava.trainer.jobs;

/** Upper bounds on what one job may ask for (llava.trainer.limits.*); the lower bounds are the spec's own. */
public record JobLimits(int maxGpus, int maxSteps, int maxGlobalBatchSize, int maxMicroBatchSize, int maxLength) {
  public static final JobLimits DEFAULT = new JobLimits(8, 1_000_000, 4096, 256, 32768);
}
