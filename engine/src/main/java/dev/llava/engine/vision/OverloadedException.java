package dev.llava.engine.vision;

/** The work queue is full: callers should answer RESOURCE_EXHAUSTED and let clients back off. */
public final class OverloadedException extends RuntimeException {
  public OverloadedException(String message) {
    super(message);
  }
}
