package dev.warden.agent.workloadapi;

/**
 * An identity could not be produced: either not right now (for example the server is unreachable
 * and nothing is cached), or not at all because the server refused it ({@link #refused()}, say a
 * JWT-SVID audience no policy grants).
 */
public final class IdentityException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean refused;

  public IdentityException(String message) {
    this(message, false);
  }

  /**
   * @param refused true when the server decided against it (retrying will not help)
   */
  public IdentityException(String message, boolean refused) {
    super(message);
    this.refused = refused;
  }

  /** True when the server refused the identity, as opposed to being unavailable. */
  public boolean refused() {
    return refused;
  }
}
