package dev.warden.server;

import dev.warden.core.error.ValidationException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Whether the HTTP port can be bound, checked before anything is created (store, keys, bootstrap
 * token), and the same one-line error when the listener itself fails to bind, which Helidon only
 * logs: it returns a server that is not running, on port -1.
 */
final class Listener {
  private Listener() {}

  /**
   * @throws ValidationException naming the port when it cannot be bound (in use, not permitted, no
   *     such address)
   */
  static void checkFree(String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true); // as the listener binds: a port in TIME_WAIT is free
      s.bind(new InetSocketAddress(host, port));
    } catch (IOException | RuntimeException e) {
      throw failure(host, port, e);
    }
  }

  /** Called after the listener failed to start: says why, by probing the port again. */
  static ValidationException notListening(String host, int port) {
    try {
      checkFree(host, port);
    } catch (ValidationException e) {
      return e;
    }
    return new ValidationException("server.port", "could not listen on " + host + ":" + port);
  }

  private static ValidationException failure(String host, int port, Exception e) {
    if (e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")) {
      return new ValidationException(
          "",
          "port "
              + port
              + " on "
              + host
              + " is already in use; stop the other process or choose another port (--port)");
    }
    return new ValidationException(
        "server.port", "cannot listen on " + host + ":" + port + ": " + e.getMessage());
  }
}
