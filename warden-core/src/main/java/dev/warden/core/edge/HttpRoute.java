package dev.warden.core.edge;

import java.util.Locale;

/**
 * One destination of the HTTP egress proxy that gets a credential injected: requests to {@code
 * host} (and {@code port}, or any port when 0) carry the credential of {@code resource}, placed as
 * {@code placement} says. The resource decides the kind of credential (a Warden access token, an
 * upstream OAuth token, a brokered secret); the placement applies to brokered secrets only, since
 * tokens are always {@code Authorization: Bearer}.
 *
 * <p>Written {@code
 * route=<host>[:<port>]=resource:<name>[;header=<Name>|;query=<param>|;basic][;plaintext]}.
 *
 * @param plaintext the credential may go to this destination over plain {@code http://}; without it
 *     only over verified TLS, so a URL that says {@code http://} cannot send the credential over
 *     the network in the clear
 */
public record HttpRoute(
    String host, int port, String resource, Placement placement, String name, boolean plaintext) {

  /** Where a brokered secret goes. */
  public enum Placement {
    /** {@code Authorization: Bearer <secret>}, or {@code <name>: <secret>} for another header. */
    HEADER,
    /**
     * A query parameter {@code <name>=<secret>} (any the application sent with that name is
     * removed).
     */
    QUERY,
    /** {@code Authorization: Basic base64(<secret>)}: the secret holds {@code user:password}. */
    BASIC
  }

  public HttpRoute {
    if (host == null || !host.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")) {
      throw new IllegalArgumentException("route host " + host + " is not a host name");
    }
    host = host.toLowerCase(Locale.ROOT);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("route port " + port + " is not 1..65535");
    }
    if (resource == null || resource.isBlank()) {
      throw new IllegalArgumentException("route " + host + " needs resource:<name>");
    }
    placement = placement == null ? Placement.HEADER : placement;
    if (name == null) {
      name = placement == Placement.QUERY ? null : "Authorization";
    }
    if (placement == Placement.QUERY && (name == null || !name.matches("[A-Za-z0-9._~-]+"))) {
      throw new IllegalArgumentException(
          "route " + host + ": query=<parameter name> (letters, digits, ._~-)");
    }
    if (placement == Placement.HEADER && !name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
      throw new IllegalArgumentException(
          "route " + host + ": header=" + name + " is not a header name");
    }
    if (placement == Placement.BASIC) {
      name = "Authorization";
    }
  }

  /** A route whose credential goes over TLS only. */
  public HttpRoute(String host, int port, String resource, Placement placement, String name) {
    this(host, port, resource, placement, name, false);
  }

  /** Whether a request to this host and port takes this route. */
  public boolean matches(String h, int p) {
    return host.equalsIgnoreCase(h) && (port == 0 || port == p);
  }

  /**
   * The header the application's own value is removed from (and the credential put in), or null for
   * a query.
   */
  public String header() {
    return placement == Placement.QUERY ? null : name;
  }

  /** Parses {@code <host>[:<port>]=resource:<name>[;header=<Name>|;query=<param>|;basic]}. */
  public static HttpRoute parse(String s) {
    int eq = s.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException(
          "route=" + s + ": write route=<host>[:<port>]=resource:<name>");
    }
    String dest = s.substring(0, eq);
    String[] parts = s.substring(eq + 1).split(";");
    if (!parts[0].startsWith("resource:")) {
      throw new IllegalArgumentException(
          "route=" + s + ": the destination maps to resource:<name>");
    }
    String host = dest;
    int port = 0;
    int colon = dest.lastIndexOf(':');
    if (colon > 0) {
      host = dest.substring(0, colon);
      try {
        port = Integer.parseInt(dest.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("route=" + s + ": the port is not a number");
      }
      if (port == 0) {
        throw new IllegalArgumentException("route=" + s + ": the port must be 1..65535");
      }
    }
    Placement placement = null;
    String name = null;
    boolean plaintext = false;
    for (int i = 1; i < parts.length; i++) {
      String o = parts[i];
      if (o.equals("plaintext")) {
        plaintext = true;
        continue;
      }
      if (placement != null) {
        throw new IllegalArgumentException(
            "route=" + s + ": give at most one of header=, query=, basic");
      }
      if (o.startsWith("header=")) {
        placement = Placement.HEADER;
        name = o.substring(7);
      } else if (o.startsWith("query=")) {
        placement = Placement.QUERY;
        name = o.substring(6);
      } else if (o.equals("basic")) {
        placement = Placement.BASIC;
      } else {
        throw new IllegalArgumentException(
            "route="
                + s
                + ": unknown option "
                + o
                + " (header=<Name>, query=<param>, basic, plaintext)");
      }
    }
    return new HttpRoute(host, port, parts[0].substring(9), placement, name, plaintext);
  }
}
