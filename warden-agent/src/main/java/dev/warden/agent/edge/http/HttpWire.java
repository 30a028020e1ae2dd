package dev.warden.agent.edge.http;

import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaders;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The HTTP proxy's reading of what a client asks for, apart from Netty's message framing: the
 * request target (absolute-form for a plain request, authority-form for CONNECT), the header rules
 * of a forwarding intermediary (RFC 9110 section 7.6.1: hop-by-hop fields are not forwarded), the
 * message framing it accepts (RFC 9112 section 6), and where a credential goes. Everything a client
 * controls is checked here, strictly; anything doubtful is a 400.
 */
final class HttpWire {
  private HttpWire() {}

  /** Hop-by-hop fields (RFC 9110 7.6.1 and the ones older agents still send), never forwarded. */
  static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "proxy-connection",
          "keep-alive",
          "te",
          "trailer",
          "upgrade",
          "proxy-authorization",
          "proxy-authenticate");

  /** A host and port. */
  record Authority(String host, int port) {
    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The Host header's value: the port only when not the scheme's default. */
    String hostHeader(boolean tls) {
      String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
      return port == (tls ? 443 : 80) ? h : h + ":" + port;
    }
  }

  /** Where a plain proxied request goes: scheme, authority and the origin-form path and query. */
  record Target(boolean tls, Authority authority, String originForm) {}

  /**
   * {@code host:port} (CONNECT's authority-form, RFC 9112 3.2.3) or, with a default port, {@code
   * host[:port]}: a DNS name or an IP literal, IPv6 in brackets.
   */
  static Authority authority(String s, int defaultPort) throws HttpRefusal {
    if (s == null || s.isEmpty() || s.length() > 300) {
      throw new HttpRefusal(400, "no host, or an over-long one, in the request target");
    }
    String host;
    String port = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw new HttpRefusal(400, "unterminated IPv6 literal in " + printable(s));
      }
      host = s.substring(1, close);
      if (!host.matches("[0-9A-Fa-f:.]+") || host.indexOf(':') < 0) {
        throw new HttpRefusal(400, "not an IPv6 literal: " + printable(s));
      }
      String rest = s.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new HttpRefusal(400, "bad authority " + printable(s));
        }
        port = rest.substring(1);
      }
    } else {
      int colon = s.lastIndexOf(':');
      host = colon < 0 ? s : s.substring(0, colon);
      port = colon < 0 ? null : s.substring(colon + 1);
      if (!host.matches("[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?") || host.length() > 253) {
        throw new HttpRefusal(400, "not a host name: " + printable(host));
      }
      host = host.toLowerCase(Locale.ROOT);
    }
    int p;
    if (port == null) {
      if (defaultPort <= 0) {
        throw new HttpRefusal(400, "CONNECT needs host:port, not " + printable(s));
      }
      p = defaultPort;
    } else {
      if (!port.matches("[0-9]{1,5}")) {
        throw new HttpRefusal(400, "not a port: " + printable(port));
      }
      p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        throw new HttpRefusal(400, "port " + p + " is not 1..65535");
      }
    }
    return new Authority(host, p);
  }

  /**
   * A plain request's absolute-form target (RFC 9112 3.2.2): {@code http://} or {@code https://},
   * no user information (a credential in a URL is not forwarded, and it would confuse the
   * destination with the user), the fragment dropped.
   */
  static Target absolute(String uri) throws HttpRefusal {
    if (uri == null || uri.startsWith("/") || uri.equals("*")) {
      throw new HttpRefusal(
          400,
          "this is a forward proxy: send the absolute URI (http://host/path), "
              + "as clients do when HTTP_PROXY points here");
    }
    String lower =
        uri.length() >= 8
            ? uri.substring(0, 8).toLowerCase(Locale.ROOT)
            : uri.toLowerCase(Locale.ROOT);
    boolean tls;
    int start;
    if (lower.startsWith("http://")) {
      tls = false;
      start = 7;
    } else if (lower.startsWith("https://")) {
      tls = true;
      start = 8;
    } else {
      throw new HttpRefusal(
          400, "only http:// and https:// URIs are proxied, not " + printable(uri));
    }
    int end = start;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    String auth = uri.substring(start, end);
    if (auth.indexOf('@') >= 0) {
      throw new HttpRefusal(
          400, "user information in the URI is not forwarded: the agent supplies credentials");
    }
    Authority a = authority(auth, tls ? 443 : 80);
    String rest = uri.substring(end);
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      rest = rest.substring(0, hash);
    }
    if (rest.isEmpty() || rest.startsWith("?")) {
      rest = "/" + rest;
    }
    checkOriginForm(rest);
    return new Target(tls, a, rest);
  }

  /** An origin-form target (RFC 9112 3.2.1): a path, an optional query, visible ASCII only. */
  static String checkOriginForm(String s) throws HttpRefusal {
    if (!s.startsWith("/")) {
      throw new HttpRefusal(
          400, "the request target must be a path (origin-form), not " + printable(s));
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '#') {
        throw new HttpRefusal(
            400, "the request target holds a character that must be percent-encoded");
      }
    }
    return s;
  }

  /**
   * Checks the framing of a request the proxy forwards (RFC 9112 6.1-6.3): a Transfer-Encoding must
   * end in chunked, and must not come with a Content-Length; several Content-Lengths must agree.
   * Anything else is how requests are smuggled past an intermediary, so it is refused.
   */
  static void checkFraming(HttpHeaders h) throws HttpRefusal {
    List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    List<String> cl = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
    if (!te.isEmpty()) {
      if (!cl.isEmpty()) {
        throw new HttpRefusal(
            400, "a request with both Transfer-Encoding and Content-Length is refused");
      }
      String last = te.getLast();
      int comma = last.lastIndexOf(',');
      if (!last.substring(comma + 1).trim().equalsIgnoreCase("chunked")) {
        throw new HttpRefusal(400, "Transfer-Encoding must end in chunked");
      }
    }
    String length = null;
    for (String v : cl) {
      for (String one : v.split(",", -1)) {
        String t = one.trim();
        if (!t.matches("[0-9]{1,18}") || length != null && !length.equals(t)) {
          throw new HttpRefusal(400, "invalid or conflicting Content-Length");
        }
        length = t;
      }
    }
  }

  /**
   * Removes the hop-by-hop fields: the fixed ones and those the Connection field names (RFC 9110
   * 7.6.1). Transfer-Encoding stays: the proxy re-frames the body with the same coding.
   */
  static void removeHopByHop(HttpHeaders h) {
    List<String> named = new ArrayList<>();
    for (String v : h.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : v.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty() && !t.equals("transfer-encoding") && !t.equals("host")) {
          named.add(t);
        }
      }
    }
    for (String t : named) {
      h.remove(t);
    }
    for (String t : HOP_BY_HOP) {
      h.remove(t);
    }
  }

  /**
   * The origin-form target with every {@code name} parameter removed and {@code name=value}
   * appended.
   */
  static String withQueryParameter(String originForm, String name, String value) {
    int q = originForm.indexOf('?');
    String path = q < 0 ? originForm : originForm.substring(0, q);
    StringBuilder out = new StringBuilder(path);
    char sep = '?';
    if (q >= 0) {
      for (String pair : originForm.substring(q + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        String decoded;
        try {
          decoded = URLDecoder.decode(key, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          decoded = key;
        }
        if (decoded.equals(name)) {
          continue; // the application's own value never reaches the destination
        }
        out.append(sep).append(pair);
        sep = '&';
      }
    }
    return out.append(sep)
        .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
        .append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8))
        .toString();
  }

  /**
   * Whether a Host field names this authority (its port may be left out when it is the default).
   */
  static boolean sameHost(String hostHeader, Authority a, boolean tls) {
    if (hostHeader == null) {
      return true; // HTTP/1.0: the agent sets it
    }
    try {
      Authority h = authority(hostHeader.trim(), a.port() == (tls ? 443 : 80) ? a.port() : -1);
      return h.host().equalsIgnoreCase(a.host()) && h.port() == a.port();
    } catch (HttpRefusal e) {
      return false;
    }
  }

  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 100; i++) {
      char c = s.charAt(i);
      b.append(c >= ' ' && c < 0x7f ? c : '?');
    }
    return s.length() > 100 ? b + "..." : b.toString();
  }
}
