package dev.warden.core.error;

/**
 * A write lost a race (optimistic concurrency) or would break uniqueness. Retry after re-reading.
 */
public final class ConflictException extends WardenException {
  private static final long serialVersionUID = 1L;

  public ConflictException(String message) {
    super(message);
  }
}
