package dev.warden.core.error;

import org.jspecify.annotations.Nullable;

/**
 * A resource's target (its database) could not be reached, or refused what Warden asked of it. The
 * message names the target and the SQLSTATE or cause, never a secret or a statement's text. {@link
 * #maybeChanged()} says whether the target may have done part of it (a commit whose answer was
 * lost), which decides whether Warden must go and check.
 */
public final class TargetException extends WardenException {
  private static final long serialVersionUID = 1L;
  private final boolean maybeChanged;
  private final boolean unreachable;

  public TargetException(String message, boolean maybeChanged, @Nullable Throwable cause) {
    this(message, maybeChanged, false, cause);
  }

  private TargetException(
      String message, boolean maybeChanged, boolean unreachable, @Nullable Throwable cause) {
    super(message, cause);
    this.maybeChanged = maybeChanged;
    this.unreachable = unreachable;
  }

  /** The target could not be reached (or refused the login): nothing was done there. */
  public static TargetException unreachable(String message, @Nullable Throwable cause) {
    return new TargetException(message, false, true, cause);
  }

  /**
   * True when the target could not be reached at all: other work for it will fail the same way now.
   */
  public boolean unreachable() {
    return unreachable;
  }

  /** True unless the target certainly did nothing (unreachable, or it rolled the work back). */
  public boolean maybeChanged() {
    return maybeChanged;
  }
}
