package dev.llava.model.train;

/**
 * Linear warmup then cosine decay to zero, as HF's {@code get_cosine_schedule_with_warmup} (what LLaVA's
 * {@code lr_scheduler_type cosine} runs): warmup steps are {@code ceil(warmupRatio * total)}; optimizer step
 * {@code s} (0-based) uses {@code peak * s / warmup} during warmup and
 * {@code peak * 0.5 * (1 + cos(pi * (s - warmup) / (total - warmup)))} after it.
 */
public record CosineSchedule(double peak, int totalSteps, int warmupSteps) {
  public CosineSchedule {
    if (totalSteps < 1) throw new IllegalArgumentException("total steps must be >= 1, got " + totalSteps);
    if (warmupSteps < 0 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException("warmup steps must be 0.." + totalSteps + ", got " + warmupSteps);
    }
  }

  public static CosineSchedule of(double peak, int totalSteps, double warmupRatio) {
    return new CosineSchedule(peak, totalSteps, (int) Math.ceil(warmupRatio * totalSteps));
  }

  /** Learning rate of optimizer step {@code step} (0-based). */
  public double at(int step) {
    if (step < warmupSteps) return peak * step / Math.max(1, warmupSteps);
    double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    return peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
  }
}
