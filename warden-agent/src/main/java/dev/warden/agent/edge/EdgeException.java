package dev.warden.agent.edge;

/**
 * Why the agent could not give a connection its credential. {@link Kind} tells the proxy which
 * protocol-level error to answer with; the message is what the application's client prints.
 */
public final class EdgeException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The message given at construction: the exception's only one, never null. */
  private final String message;

  /** Closed set of causes. */
  public enum Kind {
    /** The calling process could not be attested, or no registration matches it. */
    UNIDENTIFIED,
    /** The server's policy refuses this workload this target. */
    DENIED,
    /**
     * The server, or the target behind it, cannot be reached, and no cached credential is valid.
     */
    UNAVAILABLE,
    /** The server answered something the agent cannot use. */
    FAILED
  }

  private final Kind kind;

  public EdgeException(Kind kind, String message) {
    super(message);
    this.message = message;
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  @Override
  public String getMessage() {
    return message;
  }
}
