package dev.warden.server.console;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.jspecify.annotations.Nullable;

/**
 * The console's cookies: the session cookie's name and attributes (HttpOnly, SameSite=Strict, and
 * over TLS Secure and {@code __Host-} prefixed), reading one from a request and expiring one. In
 * one place so that every cookie the console sets has the same attributes.
 */
final class ConsoleCookies {
  private final boolean tls;
  private final String session;

  /**
   * @param tls true when the listener serves HTTPS
   */
  ConsoleCookies(boolean tls) {
    this.tls = tls;
    this.session = tls ? "__Host-warden-session" : "warden-session";
  }

  /** The session cookie's name. */
  String session() {
    return session;
  }

  /** The session cookie carrying {@code id}. */
  String session(String id) {
    return session + "=" + id + "; Path=/; HttpOnly; SameSite=Strict" + secure();
  }

  /** The Secure attribute over TLS; else nothing. */
  String secure() {
    return tls ? "; Secure" : "";
  }

  /** Adds a Set-Cookie header. */
  static void set(ServerResponse res, String value) {
    res.headers().add(io.helidon.http.HeaderValues.create(HeaderNames.SET_COOKIE, value));
  }

  /** A 303 to {@code location}. */
  static void redirect(ServerResponse res, String location) {
    res.status(303);
    res.header("Location", location);
    res.send();
  }

  /** A cookie that the browser drops at once. */
  String expired(String name, String path) {
    return name + "=; Path=" + path + "; Max-Age=0; HttpOnly; SameSite=Strict" + secure();
  }

  /** A cookie's value from the Cookie header, or null. */
  static @Nullable String read(ServerRequest req, String name) {
    for (String header : req.headers().all(HeaderNames.COOKIE, java.util.List::of)) {
      for (String part : header.split(";")) {
        String p = part.trim();
        if (p.length() > name.length() && p.startsWith(name) && p.charAt(name.length()) == '=') {
          return p.substring(name.length() + 1);
        }
      }
    }
    return null;
  }
}
