package dev.llava.model.train;

/** LLaVA's recipe stages, deciding which parts train by default. */
public enum TrainingStage {
  /** Feature alignment: only the projector trains (vision tower and LLM frozen), {@code plain} template. */
  STAGE1_ALIGN,
  /** Visual instruction tuning: projector and LLM train, vision tower frozen. */
  STAGE2_INSTRUCT,
  /** Every part trains: tiny models from scratch (the demo recipe). */
  ALL_PARTS
}
