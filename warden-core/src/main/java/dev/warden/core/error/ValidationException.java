package dev.warden.core.error;

/**
 * Input (configuration, an API document, a policy) broke a rule. {@link #field()} names the key
 * that was wrong so the user can fix it, and the message says what is allowed.
 */
public final class ValidationException extends WardenException {
  private static final long serialVersionUID = 1L;
  private final String field;

  public ValidationException(String field, String message) {
    super(field == null || field.isEmpty() ? message : field + ": " + message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
