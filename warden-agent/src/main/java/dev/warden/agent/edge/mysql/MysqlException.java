package dev.warden.agent.edge.mysql;

/**
 * Something the MySQL proxy refuses, as the ERR packet the client gets: a MySQL error number, an
 * SQLSTATE and a message the client prints ({@code ERROR 1045 (28000): ...}).
 */
final class MysqlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The message given at construction: the exception's only one, never null. */
  private final String message;

  /** ER_ACCESS_DENIED_ERROR: the caller is not let in. */
  static final int ACCESS_DENIED = 1045;

  /** ER_HANDSHAKE_ERROR: bytes that are not the protocol. */
  static final int HANDSHAKE = 1043;

  /**
   * ER_CONNECT_TO_FOREIGN_DATA_SOURCE: the target cannot be reached. (Not 2003, which clients keep
   * for their own connection failures and do not expect from a server.)
   */
  static final int UNREACHABLE = 1429;

  /** ER_NOT_SUPPORTED_AUTH_MODE. */
  static final int AUTH_MODE = 1251;

  private final int code;
  private final String sqlState;

  MysqlException(int code, String sqlState, String message) {
    super(message);
    this.message = message;
    this.code = code;
    this.sqlState = sqlState;
  }

  static MysqlException protocol(String message) {
    return new MysqlException(HANDSHAKE, "08S01", message);
  }

  int code() {
    return code;
  }

  String sqlState() {
    return sqlState;
  }

  @Override
  public String getMessage() {
    return message;
  }
}
