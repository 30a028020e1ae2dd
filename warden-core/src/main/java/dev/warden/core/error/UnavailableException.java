package dev.warden.core.error;

import org.jspecify.annotations.Nullable;

/**
 * A dependency Warden must not work without (the audit log, the database) is failing. Requests fail
 * closed with this error; retry later.
 */
public final class UnavailableException extends WardenException {
  private static final long serialVersionUID = 1L;
  private final Reason reason;

  public UnavailableException(Reason reason, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
