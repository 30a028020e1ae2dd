package dev.warden.core.error;

import org.jspecify.annotations.Nullable;

/**
 * Root of Warden's few error types; each subtype is mapped to a response in one place at the edge.
 */
public abstract class WardenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Kept here so {@link #getMessage()} is non-null: every Warden error says what went wrong. */
  private final String message;

  protected WardenException(String message) {
    super(message);
    this.message = message;
  }

  protected WardenException(String message, @Nullable Throwable cause) {
    super(message, cause);
    this.message = message;
  }

  @Override
  public String getMessage() {
    return message;
  }
}
