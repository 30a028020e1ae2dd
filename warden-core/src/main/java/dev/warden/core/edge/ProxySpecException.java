package dev.warden.core.edge;

/**
 * A proxy's settings break a rule. {@link #option()} names the setting in the command line's words
 * ({@code listen}, {@code client-tls}, {@code route}, …) so that each front end — the agent's
 * {@code --proxy} flag, an {@code EdgeProxy} document — can point at its own spelling of it; the
 * message says what is allowed, without either syntax.
 */
public final class ProxySpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String option;

  public ProxySpecException(String option, String message) {
    super(message);
    this.option = option;
  }

  /**
   * The setting that is wrong: protocol, resource, listen, upstream-tls, upstream-ca, client-tls,
   * route, unlisted or response-timeout.
   */
  public String option() {
    return option;
  }
}
