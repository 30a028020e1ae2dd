package dev.warden.agent.runtime;

/**
 * The server answered, and said no. {@code status} 401 means the session is gone (attest again); 0
 * means the server could not be reached at all.
 */
public final class ServerException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String error;

  public ServerException(int status, String error, String message) {
    super(message);
    this.status = status;
    this.error = error;
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }

  public boolean unreachable() {
    return status == 0 || status >= 500;
  }
}
