package dev.warden.core.error;

import org.jspecify.annotations.Nullable;

/**
 * A request was refused for a known reason: bad evidence, unknown identity, or policy. The message
 * is safe to show the caller: it names the rule that was broken, never a secret or policy internals
 * beyond what the caller can already see.
 */
public final class DeniedException extends WardenException {
  private static final long serialVersionUID = 1L;
  private final Reason reason;

  public DeniedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public DeniedException(Reason reason, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
