package dev.llava.cli;

/** A user error: printed as one line and the process exits with status 2. */
public final class CliException extends RuntimeException {
  public CliException(String message) {
    super(message);
  }
}
