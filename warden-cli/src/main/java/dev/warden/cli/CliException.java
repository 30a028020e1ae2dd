package dev.warden.cli;

import org.jspecify.annotations.Nullable;

/**
 * A failure to report to the user with an exit code: 1 a negative result, 2 an error, 3 not found.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  CliException(int exitCode, @Nullable String message) {
    super(message);
    this.exitCode = exitCode;
  }

  /**
   * "cannot read FILE: no such file" and the like: the JDK's file exceptions carry only the path as
   * message.
   */
  static CliException io(String action, Object file, java.io.IOException e) {
    String why =
        e instanceof java.nio.file.NoSuchFileException
            ? "no such file"
            : e instanceof java.nio.file.AccessDeniedException
                ? "permission denied"
                : e instanceof java.nio.file.FileSystemException f && f.getReason() != null
                    ? f.getReason()
                    : e.getMessage();
    return new CliException(2, action + " " + file + ": " + why);
  }

  int exitCode() {
    return exitCode;
  }
}
