package dev.warden.scan;

/**
 * The one error type of the scanner. {@link #reason()} is a stable code for scripts and tests; the
 * message says what went wrong and what to do, and never contains a secret.
 */
public final class ScanException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Stable reason codes. */
  public enum Reason {
    /** A path given on the command line does not exist or cannot be read. */
    INPUT_NOT_FOUND,
    /** A path is not a git repository, or git itself failed. */
    GIT_FAILED,
    /** A config, baseline or key file is malformed. */
    BAD_CONFIG,
    /** The fingerprint key could not be loaded or created. */
    KEY_UNAVAILABLE,
    /** The server rejected or could not take a leak report. */
    REPORT_FAILED,
    /** An I/O error that stopped the scan. */
    IO
  }

  private final Reason reason;

  public ScanException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ScanException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
