package dev.warden.cli;

import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * A {@code --server} value made into a base URL. A full http(s) URL is taken as it is; a bare
 * {@code host:port} means {@code http://} on the loopback interface (the quick start's {@code
 * 127.0.0.1:8080}) and {@code https://} anywhere else, so an admin token never crosses a network in
 * clear text because a scheme was left out.
 */
final class ServerUrl {
  static final String HELP =
      "a bare host:port means http:// for localhost/127.0.0.1/[::1] and https:// otherwise";

  private ServerUrl() {}

  /**
   * The base URL without a trailing slash; a {@link CliException} (exit 2) naming the value if it
   * is not one.
   */
  static String parse(@Nullable String value) {
    String v = value == null ? "" : value.strip();
    if (!v.contains("://") && !v.isEmpty()) {
      v = (isLoopback(hostOf(v)) ? "http://" : "https://") + v;
    }
    URI u;
    try {
      u = new URI(v);
    } catch (URISyntaxException e) {
      throw invalid(value);
    }
    if (!("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
        || u.getHost() == null
        || u.getRawQuery() != null
        || u.getRawFragment() != null
        || u.getRawUserInfo() != null) {
      throw invalid(value);
    }
    while (v.endsWith("/")) {
      v = v.substring(0, v.length() - 1);
    }
    return v;
  }

  static boolean isLoopback(@Nullable String host) {
    if (host == null) {
      return false;
    }
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return h.equalsIgnoreCase("localhost") || h.startsWith("127.") || h.equals("::1");
  }

  private static @Nullable String hostOf(String hostPort) {
    try {
      return new URI("http://" + hostPort).getHost();
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static CliException invalid(@Nullable String value) {
    return new CliException(
        2,
        "--server '"
            + value
            + "' is not a server URL; use a URL such as http://127.0.0.1:8080"
            + " or https://warden.example.com");
  }
}
