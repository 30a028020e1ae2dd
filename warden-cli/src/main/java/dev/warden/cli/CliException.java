package dev.warden.cli;

/** A failure to report to the user with an exit code: 1 a negative result, 2 an error, 3 not found. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
