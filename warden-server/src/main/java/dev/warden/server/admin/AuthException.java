package dev.warden.server.admin;

/**
 * The admin API refused a caller: {@code status} 401 when the credential is missing or invalid, 403
 * when it lacks a scope. The message names what to do and never echoes the credential.
 */
public final class AuthException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  // kept so getMessage() is non-null: every refusal says what to do
  private final String message;

  public AuthException(int status, String message) {
    super(message);
    this.status = status;
    this.message = message;
  }

  @Override
  public String getMessage() {
    return message;
  }

  public int status() {
    return status;
  }
}
