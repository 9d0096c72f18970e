package dev.llava.engine.lm;

/**
 * The request (and its encoded images) comes from another revision of the served model: features of another
 * checkpoint would be projected with the wrong weights, so callers answer FAILED_PRECONDITION.
 */
public final class RevisionMismatchException extends RuntimeException {
  public RevisionMismatchException(String message) {
    super(message);
  }
}
