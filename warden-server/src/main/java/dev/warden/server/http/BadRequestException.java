package dev.warden.server.http;

/** The HTTP request is malformed (not JSON, missing parameter, repeated parameter, too large). */
public final class BadRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  // kept so getMessage() is non-null: every refusal says what was wrong
  private final String message;

  public BadRequestException(String message) {
    this(400, message);
  }

  public BadRequestException(int status, String message) {
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
