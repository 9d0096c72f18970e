package dev.llava.model.train;

import java.nio.file.Path;

/** Progress of a training run, called on the training thread. */
public interface TrainingListener {
  /** After each optimizer step. */
  default void onStep(TrainingProgress progress) {}

  /** A checkpoint directory was completely written (HF layout). */
  default void onCheckpoint(Path dir, int step) {}

  /** Something worth telling the user (data report, resumed from, ...). */
  default void onLog(String message) {}

  TrainingListener NONE = new TrainingListener() {};
}
