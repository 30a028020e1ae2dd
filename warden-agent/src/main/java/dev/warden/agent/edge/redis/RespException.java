package dev.warden.agent.edge.redis;

/**
 * Something the Redis proxy refuses: the message becomes the client's {@code -ERR} reply, after
 * which the connection is closed, so a client whose framing the proxy cannot follow never gets to
 * send anything the proxy has not seen.
 */
final class RespException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The message given at construction: the exception's only one, never null. */
  private final String message;

  RespException(String message) {
    super(message);
    this.message = message;
  }

  @Override
  public String getMessage() {
    return message;
  }
}
