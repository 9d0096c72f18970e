package dev.llava.model.train;

import java.util.function.BooleanSupplier;

/**
 * Runs one training spec to the end (or until {@code cancelled} turns true, checked between steps). Implemented by
 * the in-JVM DJL trainer; the trainer service's local and Kubernetes runners call it (the Kubernetes Job's
 * container runs {@code bin/llava train} with the same spec).
 */
public interface TrainingRunner {
  TrainingResult run(TrainingSpec spec, TrainingListener listener, BooleanSupplier cancelled) throws Exception;
}
