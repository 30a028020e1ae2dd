package dev.warden.agent.edge.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.agent.edge.EdgeCredential;
import dev.warden.core.crypto.Secret;
import dev.warden.core.edge.HttpRoute;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultHttpHeaders;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaders;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fuzz targets for what the HTTP proxy itself reads of a client's request (Netty frames the
 * messages; {@link HttpWire} reads the target and the fields, {@link CredentialPlacement#inject}
 * places the credential). The acceptable outcomes are a 400 refusal or a result that keeps the
 * proxy's promises: a target the destination reads as the proxy did, no hop-by-hop field forwarded,
 * and exactly one credential, the agent's, where the route puts it. Seeds replay with every build;
 * {@code JAZZER_FUZZ=1 ./mvnw test -pl warden-agent -Dtest=HttpWireFuzzTest} fuzzes.
 */
class HttpWireFuzzTest {
  static final String SECRET = "s3cr3t:v/a+l&u=e";

  /**
   * First byte: even, a CONNECT authority; odd, a plain request's absolute URI. The rest is the
   * target.
   */
  @FuzzTest(maxDuration = "30s")
  void requestTargetsParseStrictlyOrAreRefused(byte[] in) {
    if (in.length == 0) {
      return;
    }
    String target = new String(in, 1, in.length - 1, StandardCharsets.ISO_8859_1);
    try {
      if ((in[0] & 1) == 0) {
        HttpWire.Authority a = HttpWire.authority(target, -1);
        checkAuthority(a);
        if (!HttpWire.authority(a.toString(), -1).equals(a)) {
          throw new AssertionError("authority does not round-trip: " + a);
        }
      } else {
        HttpWire.Target t = HttpWire.absolute(target);
        checkAuthority(t.authority());
        String o = t.originForm();
        if (!o.startsWith("/") || o.chars().anyMatch(c -> c <= ' ' || c >= 0x7f || c == '#')) {
          throw new AssertionError(
              "origin-form " + o + " is not what a destination reads as a path");
        }
        // what the destination receives (Host and path) names the same place the proxy routed
        HttpWire.Target again =
            HttpWire.absolute(
                (t.tls() ? "https://" : "http://") + t.authority().hostHeader(t.tls()) + o);
        if (!again.equals(t)) {
          throw new AssertionError("target does not round-trip: " + t + " vs " + again);
        }
      }
    } catch (HttpRefusal r) {
      if (r.status() != 400) {
        throw new AssertionError("a malformed target must be a 400, not " + r.status());
      }
    }
  }

  private static void checkAuthority(HttpWire.Authority a) {
    if (a.port() < 1
        || a.port() > 65535
        || a.host().isEmpty()
        || a.host().chars().anyMatch(c -> c <= ' ' || c >= 0x7f || "/@?#%\\[]".indexOf(c) >= 0)) {
      throw new AssertionError("accepted a bad authority " + a);
    }
  }

  /**
   * First byte: the route (0 Authorization Bearer, 1 X-Api-Key, 2 query, 3 basic, 4 a token); the
   * rest: {@code name: value} lines of the application's fields.
   */
  @FuzzTest(maxDuration = "30s")
  void hopByHopFieldsAndTheApplicationsCredentialNeverReachTheDestination(byte[] in) {
    if (in.length == 0) {
      return;
    }
    HttpHeaders h = new DefaultHttpHeaders(false);
    List<String> connectionNamed = new ArrayList<>();
    for (String line : new String(in, 1, in.length - 1, StandardCharsets.ISO_8859_1).split("\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = line.substring(0, colon).trim();
      if (name.isEmpty()) {
        continue;
      }
      String value = line.substring(colon + 1).trim();
      h.add(name, value);
      if (name.equalsIgnoreCase("connection")) {
        for (String t : value.split(",")) {
          String n = t.trim().toLowerCase(Locale.ROOT);
          if (!n.isEmpty() && !n.equals("transfer-encoding") && !n.equals("host")) {
            connectionNamed.add(n);
          }
        }
      }
    }
    HttpWire.removeHopByHop(h);
    for (String n : HttpWire.HOP_BY_HOP) {
      if (h.contains(n)) {
        throw new AssertionError("hop-by-hop field " + n + " survived");
      }
    }
    for (String n : connectionNamed) {
      if (h.contains(n)) {
        throw new AssertionError("field " + n + " named by Connection survived");
      }
    }
    int which = (in[0] & 0xff) % 5;
    HttpRoute route =
        switch (which) {
          case 1 ->
              new HttpRoute("api.example.com", 0, "r", HttpRoute.Placement.HEADER, "X-Api-Key");
          case 2 -> new HttpRoute("api.example.com", 0, "r", HttpRoute.Placement.QUERY, "api_key");
          case 3 -> new HttpRoute("api.example.com", 0, "r", HttpRoute.Placement.BASIC, null);
          default -> new HttpRoute("api.example.com", 0, "r", HttpRoute.Placement.HEADER, null);
        };
    EdgeCredential cred =
        new EdgeCredential(
            "l",
            "",
            Secret.of(SECRET),
            "",
            0,
            null,
            Instant.EPOCH,
            Instant.EPOCH.plusSeconds(60),
            which == 4 ? "access_token" : "brokered_secret");
    String target;
    try {
      target = CredentialPlacement.inject(route, cred, h, "/p?api_key=apps&x=1");
    } catch (HttpRefusal r) {
      throw new AssertionError("injecting a well-formed credential was refused: " + r.getMessage());
    }
    List<String> auth = h.getAll("Authorization");
    switch (which) {
      case 1 -> expect(h.getAll("X-Api-Key"), SECRET, auth.isEmpty());
      case 2 -> {
        long n =
            List.of(target.substring(target.indexOf('?') + 1).split("&")).stream()
                .filter(p -> p.startsWith("api_key="))
                .count();
        String v =
            URLDecoder.decode(
                target.substring(target.lastIndexOf("api_key=") + 8), StandardCharsets.UTF_8);
        if (n != 1 || !v.equals(SECRET) || !auth.isEmpty()) {
          throw new AssertionError("query credential wrong: " + target);
        }
      }
      case 3 ->
          expect(
              auth,
              "Basic "
                  + java.util.Base64.getEncoder()
                      .encodeToString(SECRET.getBytes(StandardCharsets.UTF_8)),
              true);
      default -> expect(auth, "Bearer " + SECRET, true);
    }
  }

  private static void expect(List<String> values, String value, boolean noOtherAuthorization) {
    if (values.size() != 1 || !values.getFirst().equals(value) || !noOtherAuthorization) {
      throw new AssertionError("expected exactly the agent's credential, got " + values);
    }
  }
}
