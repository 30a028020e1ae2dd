package dev.warden.agent.edge.postgres;

/**
 * Something the proxy must refuse, with the SQLSTATE the client sees in its ErrorResponse: the
 * message is what psql prints, so it says what went wrong and, where it can, what to do.
 */
final class PgProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String sqlState;

  /** The message given at construction: the exception's only one, never null. */
  private final String message;

  PgProtocolException(String sqlState, String message) {
    super(message);
    this.sqlState = sqlState;
    this.message = message;
  }

  @Override
  public String getMessage() {
    return message;
  }

  String sqlState() {
    return sqlState;
  }
}
