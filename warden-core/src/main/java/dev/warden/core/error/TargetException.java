package dev.warden.core.error;

/**
 * A resource's target (its database) could not be reached, or refused what Warden asked of it.
 * The message names the target and the SQLSTATE or cause, never a secret or a statement's text.
 * {@link #maybeChanged()} says whether the target may have done part of it (a commit whose answer
 * was lost), which decides whether Warden must go and check.
 */
public final class TargetException extends WardenException {
  private static final long serialVersionUID = 1L;
  private final boolean maybeChanged;

  public TargetException(String message, boolean maybeChanged, Throwable cause) {
    super(message, cause);
    this.maybeChanged = maybeChanged;
  }

  /** True unless the target certainly did nothing (unreachable, or it rolled the work back). */
  public boolean maybeChanged() {
    return maybeChanged;
  }
}
