package dev.llava.engine.lm;

/** The request names a model this server does not serve: callers answer NOT_FOUND. */
public final class UnknownModelException extends RuntimeException {
  public UnknownModelException(String message) {
    super(message);
  }
}
