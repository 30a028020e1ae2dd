package dev.warden.server.http;

/** The HTTP request is malformed (not JSON, missing parameter, repeated parameter, too large). */
public final class BadRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public BadRequestException(String message) {
    this(400, message);
  }

  public BadRequestException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
