package dev.warden.core.agent;

import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Names;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * How one proxy declared on the server (an {@code EdgeProxy} document) fares on one agent, as the
 * agent last reported it.
 *
 * @param name the declaration
 * @param version the declaration's version the agent acted on ({@link DeclaredProxies#version})
 * @param message why it is not running (null when it runs)
 * @param since when it entered this state, by the agent's clock
 */
public record ProxyStatus(String name, String version, State state, String message, Instant since) {
  /** The longest message kept: the rest is cut. */
  public static final int MAX_MESSAGE = 1000;

  /** Whether the agent runs it. */
  public enum State {
    /** Listening. */
    RUNNING,
    /**
     * It could not start here: the address is in use, the path cannot be created, the agent cannot
     * run proxies.
     */
    FAILED,
    /**
     * Another proxy of the agent already listens on its address (a {@code --proxy} flag, or a
     * declaration first by name).
     */
    REFUSED;

    /** As on the wire: {@code running}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws ValidationException for a state this release does not know
     */
    public static State parse(String s) {
      for (State st : values()) {
        if (st.wire().equals(s)) {
          return st;
        }
      }
      throw new ValidationException(
          "state", "'" + s + "' is not a proxy state; use running, failed or refused");
    }
  }

  /**
   * @throws ValidationException when the name is not an object name or a field is missing
   */
  public ProxyStatus {
    Names.check("name", name);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(since, "since");
    version = version == null ? "" : version;
    if (version.length() > 128) {
      throw new ValidationException("version", "must be at most 128 characters");
    }
    if (message != null && message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE) + "...";
    }
  }
}
