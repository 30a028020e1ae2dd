package dev.warden.testkit;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * A real OpenID Connect provider on loopback for tests, implementing the authorization code flow
 * with PKCE for one registered client: discovery, JWKS, {@code /authorize} (checks {@code
 * response_type}, {@code client_id}, the registered {@code redirect_uri}, the {@code openid} scope,
 * an S256 {@code code_challenge}, {@code state} and {@code nonce}) and {@code /token} (checks
 * {@code client_secret_basic}, the single-use code, the {@code redirect_uri} and the PKCE verifier,
 * and answers an RS256 ID token with {@code iss}, {@code sub}, {@code aud}, {@code nonce}, {@code
 * email} and {@code groups}). There is no login form: the configured test user is signed in and
 * consents at once, or, after {@link #refuseSignIn}, the provider answers {@code
 * error=access_denied}.
 *
 * <pre>{@code
 * try (TestOidcProvider idp = TestOidcProvider.start("warden", "s3cret", "http://127.0.0.1:8080/oauth2/callback")) {
 *   idp.signIn(new TestOidcProvider.User("alice", "alice@acme.test", List.of("mcp-users")));
 * }
 * }</pre>
 */
public final class TestOidcProvider implements AutoCloseable {
  /** The user who signs in. */
  public record User(String subject, String email, List<String> groups) {}

  private record Grant(String redirectUri, String challenge, String nonce, User user) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final TestKey key = TestKey.generate(KeyType.RSA_2048);
  private final String issuer;
  private final String clientId;
  private final String clientSecret;
  private final String redirectUri;
  private final Clock clock;
  private final Map<String, Grant> codes = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private volatile User user = new User("alice", "alice@acme.test", List.of("mcp-users"));
  private volatile boolean refuse;
  private volatile @Nullable String idTokenAudience;

  private TestOidcProvider(String clientId, String clientSecret, String redirectUri, Clock clock)
      throws IOException {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.redirectUri = redirectUri;
    this.clock = clock;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    this.issuer = "http://127.0.0.1:" + server.getAddress().getPort();
    server.createContext("/.well-known/openid-configuration", ex -> respond(ex, 200, discovery()));
    server.createContext(
        "/jwks", ex -> respond(ex, 200, "{\"keys\":[" + key.publicJwkJson() + "]}"));
    server.createContext("/authorize", this::authorize);
    server.createContext("/token", this::token);
    server.start();
  }

  /**
   * @param clientSecret the secret the client authenticates with (client_secret_basic)
   * @param redirectUri the client's one registered redirect URI
   */
  public static TestOidcProvider start(String clientId, String clientSecret, String redirectUri) {
    return start(clientId, clientSecret, redirectUri, Clock.systemUTC());
  }

  public static TestOidcProvider start(
      String clientId, String clientSecret, String redirectUri, Clock clock) {
    try {
      return new TestOidcProvider(clientId, clientSecret, redirectUri, clock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test OIDC provider", e);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String issuer() {
    return issuer;
  }

  /** The JWKS (public key) as JSON. */
  public String jwksJson() {
    return "{\"keys\":[" + key.publicJwkJson() + "]}";
  }

  /** The user who signs in from now on. */
  public void signIn(User u) {
    this.user = u;
    this.refuse = false;
  }

  /** From now on the user does not sign in: the provider answers {@code error=access_denied}. */
  public void refuseSignIn() {
    this.refuse = true;
  }

  /**
   * From now on ID tokens carry this audience instead of the client id (a broken provider), or null
   * to stop.
   */
  public void idTokenAudience(@Nullable String audience) {
    this.idTokenAudience = audience;
  }

  private String discovery() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("issuer", issuer);
    m.put("authorization_endpoint", issuer + "/authorize");
    m.put("token_endpoint", issuer + "/token");
    m.put("jwks_uri", issuer + "/jwks");
    m.put("response_types_supported", List.of("code"));
    m.put("subject_types_supported", List.of("public"));
    m.put("id_token_signing_alg_values_supported", List.of("RS256"));
    m.put("code_challenge_methods_supported", List.of("S256"));
    m.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic"));
    return JSONObjectUtils.toJSONString(m);
  }

  private void authorize(HttpExchange ex) throws IOException {
    Map<String, String> q = parse(ex.getRequestURI().getRawQuery());
    if (!clientId.equals(q.get("client_id")) || !redirectUri.equals(q.get("redirect_uri"))) {
      respond(
          ex,
          400,
          "{\"error\":\"invalid_request\",\"error_description\":\"unknown client or redirect_uri\"}");
      return;
    }
    String state = q.get("state");
    String error =
        !"code".equals(q.get("response_type"))
            ? "unsupported_response_type"
            : q.get("scope") == null || !List.of(q.get("scope").split(" ")).contains("openid")
                ? "invalid_scope"
                : !"S256".equals(q.get("code_challenge_method"))
                        || q.get("code_challenge") == null
                        || q.get("nonce") == null
                        || state == null
                    ? "invalid_request"
                    : refuse ? "access_denied" : null;
    Map<String, String> back = new LinkedHashMap<>();
    if (error != null) {
      back.put("error", error);
    } else {
      String code = token();
      codes.put(
          code,
          new Grant(
              redirectUri, // q.get("redirect_uri") equals it (checked at the top)
              Objects.requireNonNull(q.get("code_challenge"), "checked by the error above"),
              Objects.requireNonNull(q.get("nonce"), "checked by the error above"),
              user));
      back.put("code", code);
    }
    if (state != null) {
      back.put("state", state);
    }
    back.put("iss", issuer);
    ex.getResponseHeaders().set("Location", redirectUri + "?" + form(back));
    ex.sendResponseHeaders(302, -1);
    ex.close();
  }

  private void token(HttpExchange ex) throws IOException {
    if (!"POST".equals(ex.getRequestMethod())) {
      respond(ex, 405, "{}");
      return;
    }
    Map<String, String> f =
        parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                            + ":"
                            + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
    if (!expected.equals(auth)) {
      respond(ex, 401, "{\"error\":\"invalid_client\"}");
      return;
    }
    Grant g = f.get("code") == null ? null : codes.remove(f.get("code"));
    if (!"authorization_code".equals(f.get("grant_type"))
        || g == null
        || !g.redirectUri().equals(f.get("redirect_uri"))
        || f.get("code_verifier") == null
        || !g.challenge().equals(s256(f.get("code_verifier")))) {
      respond(ex, 400, "{\"error\":\"invalid_grant\"}");
      return;
    }
    Instant now = clock.instant();
    String idToken =
        new TokenBuilder(key)
            .typ("JWT")
            .issuer(issuer)
            .subject(g.user().subject())
            .audience(idTokenAudience != null ? idTokenAudience : clientId)
            .issuedAt(now)
            .notBefore(now)
            .expiresAt(now.plus(Duration.ofMinutes(5)))
            .claim("nonce", g.nonce())
            .claim("email", g.user().email())
            .claim("email_verified", true)
            .claim("groups", g.user().groups())
            .mint();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", token());
    body.put("token_type", "Bearer");
    body.put("expires_in", 300);
    body.put("id_token", idToken);
    respond(ex, 200, JSONObjectUtils.toJSONString(body));
  }

  private String token() {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String s256(String verifier) {
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              MessageDigest.getInstance("SHA-256")
                  .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> parse(String raw) {
    Map<String, String> m = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return m;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      m.put(k, v);
    }
    return m;
  }

  private static String form(Map<String, String> m) {
    StringJoiner j = new StringJoiner("&");
    m.forEach(
        (k, v) ->
            j.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return j.toString();
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    try (ex) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
