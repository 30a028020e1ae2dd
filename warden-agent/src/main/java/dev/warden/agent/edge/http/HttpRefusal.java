package dev.warden.agent.edge.http;

import dev.warden.agent.edge.EdgeException;
import dev.warden.core.agent.ProxiedConnection;

/**
 * Why the HTTP proxy answers a request itself instead of forwarding it: the status the application
 * sees (400 malformed, 403 refused, 502/503/504 the destination or the server), the body's text,
 * and the audit outcome.
 */
final class HttpRefusal extends Exception {
  private static final long serialVersionUID = 1L;

  /** The message given at construction: the exception's only one, never null. */
  private final String message;

  private final int status;
  private final transient ProxiedConnection.Outcome outcome;

  HttpRefusal(int status, String message) {
    this(
        status,
        message,
        status == 400
            ? ProxiedConnection.Outcome.PROTOCOL_ERROR
            : status == 403
                ? ProxiedConnection.Outcome.DENIED
                : ProxiedConnection.Outcome.UNAVAILABLE);
  }

  HttpRefusal(int status, String message, ProxiedConnection.Outcome outcome) {
    super(message);
    this.message = message;
    this.status = status;
    this.outcome = outcome;
  }

  /** The answer to a request the agent could not prepare: what the edge said went wrong. */
  static HttpRefusal of(EdgeException e) {
    return switch (e.kind()) {
      case UNIDENTIFIED ->
          new HttpRefusal(403, e.getMessage(), ProxiedConnection.Outcome.UNIDENTIFIED);
      case DENIED -> new HttpRefusal(403, e.getMessage(), ProxiedConnection.Outcome.DENIED);
      case UNAVAILABLE -> new HttpRefusal(503, e.getMessage());
      case FAILED -> new HttpRefusal(502, e.getMessage());
    };
  }

  int status() {
    return status;
  }

  ProxiedConnection.Outcome outcome() {
    return outcome;
  }

  @Override
  public String getMessage() {
    return message;
  }
}
