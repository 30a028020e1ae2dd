package dev.warden.server;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal browser for the console over real HTTP: keeps cookies, never follows redirects, and
 * reads the CSRF token and the sign-in form's nonce out of the pages the way a browser's form
 * would.
 */
final class ConsoleBrowser {
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([A-Za-z0-9_-]+)\"");
  private static final Pattern NONCE =
      Pattern.compile("name=\"_login\" value=\"([A-Za-z0-9_-]+)\"");

  final String base;
  final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  final Map<String, String> cookies = new LinkedHashMap<>();

  ConsoleBrowser(String base) {
    this.base = base;
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  /** A form POST as the browser sends it from a console page (same origin). */
  HttpResponse<String> post(String path, Map<String, String> form) {
    return post(path, form, Map.of("Origin", base, "Sec-Fetch-Site", "same-origin"));
  }

  HttpResponse<String> post(String path, Map<String, String> form, Map<String, String> headers) {
    StringJoiner j = new StringJoiner("&");
    form.forEach(
        (k, v) ->
            j.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(j.toString()));
    headers.forEach(b::header);
    return send(b);
  }

  /**
   * Signs in with an admin token through the sign-in form; returns the answer to the form's POST.
   */
  HttpResponse<String> signIn(String token) {
    HttpResponse<String> form = get("/console/login");
    Matcher m = NONCE.matcher(form.body());
    if (!m.find()) {
      throw new AssertionError("no sign-in form: " + form.body());
    }
    return post(
        "/console/login", Map.of("_login", m.group(1), "token", token, "next", "/console/"));
  }

  /** The CSRF token of the session, read from a console page as its forms carry it. */
  String csrf() {
    Matcher m = CSRF.matcher(get("/console/").body());
    if (!m.find()) {
      throw new AssertionError("no CSRF token on the overview");
    }
    return m.group(1);
  }

  private HttpResponse<String> send(HttpRequest.Builder b) {
    if (!cookies.isEmpty()) {
      StringJoiner c = new StringJoiner("; ");
      cookies.forEach((k, v) -> c.add(k + "=" + v));
      b.header("Cookie", c.toString());
    }
    try {
      HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      for (String sc : res.headers().allValues("set-cookie")) {
        String pair = sc.split(";", 2)[0];
        int eq = pair.indexOf('=');
        String name = pair.substring(0, eq);
        String value = pair.substring(eq + 1);
        if (value.isEmpty() || sc.contains("Max-Age=0")) {
          cookies.remove(name);
        } else {
          cookies.put(name, value);
        }
      }
      return res;
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static List<String> setCookies(HttpResponse<?> res) {
    return res.headers().allValues("set-cookie");
  }
}
