package dev.warden.agent.edge.redis;

/**
 * Something the Redis proxy refuses: the message becomes the client's {@code -ERR} reply, after
 * which the connection is closed, so a client whose framing the proxy cannot follow never gets to
 * send anything the proxy has not seen.
 */
final class RespException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RespException(String message) {
    super(message);
  }
}
