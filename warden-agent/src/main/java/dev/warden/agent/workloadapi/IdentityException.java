package dev.warden.agent.workloadapi;

/** An identity could not be produced right now (for example the server is unreachable and nothing is cached). */
public final class IdentityException extends Exception {
  private static final long serialVersionUID = 1L;

  public IdentityException(String message) {
    super(message);
  }
}
