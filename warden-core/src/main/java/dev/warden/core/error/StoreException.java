package dev.warden.core.error;

import org.jspecify.annotations.Nullable;

/**
 * The store failed (database down, constraint the caller could not foresee). Callers fail closed: a
 * request that needs the store is refused, never answered from a guess.
 */
public final class StoreException extends WardenException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
