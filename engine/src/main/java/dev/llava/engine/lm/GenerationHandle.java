package dev.llava.engine.lm;

/** A submitted generation. */
public interface GenerationHandle {
  /**
   * Stops the generation (client cancelled, deadline passed). Safe from any thread, idempotent; the scheduler
   * ends the sequence at its next iteration, frees its slot and KV budget, and reports CANCELLED.
   */
  void cancel();
}
