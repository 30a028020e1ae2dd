package dev.warden.server.upstream;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real OAuth 2.0 authorization server for tests, on a loopback port: the client credentials grant
 * of RFC 6749 section 4.4 at {@code POST /token}, with client authentication by {@code
 * client_secret_basic} (section 2.3.1: Basic over the form-encoded id and secret), {@code
 * client_secret_post}, or {@code private_key_jwt} (RFC 7523 sections 2.2 and 3: the assertion's
 * signature is verified with the client's registered public key, {@code iss} and {@code sub} must
 * be the client id, {@code aud} must name this token endpoint, {@code exp} must be in the future
 * and a {@code jti} is accepted once). Exactly one method per request (section 2.3). Errors follow
 * section 5.2: {@code invalid_client} is 401 (with a challenge when Basic was used), the others
 * 400. Issued tokens are random and remembered, so a test can check a token it was handed is one
 * this server issued.
 */
public final class TestOAuthServer implements AutoCloseable {
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  /** A registered client: a secret, or a public key for private_key_jwt; the scopes it may get. */
  public record Client(String id, String secret, PublicKey publicKey, Set<String> scopes) {}

  private final HttpServer server;
  private final Clock clock;
  private final Map<String, Client> clients = new ConcurrentHashMap<>();
  private final Set<String> issued = ConcurrentHashMap.newKeySet();
  private final Set<String> seenJti = ConcurrentHashMap.newKeySet();
  private final Set<String> revokedTokens = ConcurrentHashMap.newKeySet();
  private final Map<String, String> issuedTo = new ConcurrentHashMap<>();
  private final List<String> requestBodies = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger requests = new AtomicInteger();
  private final SecureRandom random = new SecureRandom();
  private volatile long expiresIn = 3600;
  private volatile long delayMillis;
  private volatile Function<Map<String, String>, Answer> override;

  /** A raw answer a test forces (to see how Warden reads a broken server). */
  public record Answer(int status, String contentType, byte[] body) {}

  private TestOAuthServer(Clock clock) throws IOException {
    this.clock = clock;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/token", this::handle);
    server.createContext("/revoke", this::revoke);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  public static TestOAuthServer start(Clock clock) {
    try {
      return new TestOAuthServer(clock);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  public String tokenUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  public void register(Client c) {
    clients.put(c.id(), c);
  }

  /** The {@code expires_in} of the tokens issued from now on. */
  public void expiresIn(long seconds) {
    this.expiresIn = seconds;
  }

  /** How long each answer is held back, so that concurrent requests overlap. */
  public void delay(long millis) {
    this.delayMillis = millis;
  }

  /** Answers every request with what {@code f} returns instead (null: answer normally). */
  public void override(Function<Map<String, String>, Answer> f) {
    this.override = f;
  }

  /** Token requests received so far, whatever their outcome. */
  public int requests() {
    return requests.get();
  }

  public boolean issued(String token) {
    return issued.contains(token);
  }

  public String revocationUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/revoke";
  }

  /** Whether the token was revoked at {@code /revoke} (RFC 7009) by the client it was issued to. */
  public boolean revoked(String token) {
    return revokedTokens.contains(token);
  }

  /**
   * RFC 7009: {@code POST /revoke} with {@code token} (and an optional {@code token_type_hint}),
   * the client authenticated as at the token endpoint (section 2.1); 200 whether or not the token
   * was valid (section 2.2), 401 {@code invalid_client} for a bad client.
   */
  private void revoke(HttpExchange x) throws IOException {
    try (x) {
      String body = new String(x.getRequestBody().readNBytes(64 * 1024), StandardCharsets.UTF_8);
      requestBodies.add(body);
      Map<String, String> form = form(body);
      if (!x.getRequestMethod().equals("POST") || form == null || form.get("token") == null) {
        send(x, 400, error("invalid_request", "POST a form with token"));
        return;
      }
      Client client;
      try {
        client =
            authenticate(x.getRequestHeaders().getFirst("Authorization"), form, revocationUrl());
      } catch (Refused r) {
        send(x, 401, error("invalid_client", r.getMessage()));
        return;
      }
      // section 2.1: only the client the token was issued to may revoke it
      if (client.id().equals(issuedTo.get(form.get("token")))) {
        revokedTokens.add(form.get("token"));
      }
      send(x, 200, "{}");
    }
  }

  /** Every request body received (to prove what Warden sent). */
  public List<String> bodies() {
    synchronized (requestBodies) {
      return List.copyOf(requestBodies);
    }
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      requests.incrementAndGet();
      String body = new String(x.getRequestBody().readNBytes(64 * 1024), StandardCharsets.UTF_8);
      requestBodies.add(body);
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
      if (!x.getRequestMethod().equals("POST")) {
        send(x, 405, error("invalid_request", "POST only"));
        return;
      }
      String ct = x.getRequestHeaders().getFirst("Content-Type");
      if (ct == null || !ct.startsWith("application/x-www-form-urlencoded")) {
        send(x, 400, error("invalid_request", "form body required"));
        return;
      }
      Map<String, String> form = form(body);
      if (form == null) {
        send(x, 400, error("invalid_request", "a parameter is repeated"));
        return;
      }
      Function<Map<String, String>, Answer> o = override;
      if (o != null) {
        Answer a = o.apply(form);
        if (a != null) {
          x.getResponseHeaders().set("Content-Type", a.contentType());
          x.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(a.body());
          }
          return;
        }
      }
      String authorization = x.getRequestHeaders().getFirst("Authorization");
      Client client;
      try {
        client = authenticate(authorization, form, tokenUrl());
      } catch (Refused r) {
        if (authorization != null) {
          x.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"test\"");
        }
        send(x, 401, error("invalid_client", r.getMessage()));
        return;
      }
      if (!"client_credentials".equals(form.get("grant_type"))) {
        send(x, 400, error("unsupported_grant_type", "client_credentials only"));
        return;
      }
      Set<String> scopes = new LinkedHashSet<>();
      if (form.get("scope") != null) {
        scopes.addAll(Arrays.asList(form.get("scope").split(" ")));
      }
      if (!client.scopes().containsAll(scopes)) {
        send(x, 400, error("invalid_scope", "not allowed"));
        return;
      }
      byte[] t = new byte[24];
      random.nextBytes(t);
      String token = "saas_" + Base64.getUrlEncoder().withoutPadding().encodeToString(t);
      issued.add(token);
      issuedTo.put(token, client.id());
      String scope =
          scopes.isEmpty() ? String.join(" ", client.scopes()) : String.join(" ", scopes);
      send(
          x,
          200,
          "{\"access_token\":\""
              + token
              + "\",\"token_type\":\"Bearer\",\"expires_in\":"
              + expiresIn
              + ",\"scope\":\""
              + scope
              + "\"}");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String m) {
      super(m);
    }
  }

  /**
   * @param endpoint where the request came in, besides the token endpoint an assertion's aud may
   *     name
   */
  private Client authenticate(String authorization, Map<String, String> form, String endpoint)
      throws Refused {
    boolean basic = authorization != null;
    boolean post = form.containsKey("client_secret");
    boolean jwt = form.containsKey("client_assertion") || form.containsKey("client_assertion_type");
    if ((basic ? 1 : 0) + (post ? 1 : 0) + (jwt ? 1 : 0) != 1) {
      throw new Refused("exactly one client authentication method is required");
    }
    if (basic) {
      if (!authorization.startsWith("Basic ")) {
        throw new Refused("Basic expected");
      }
      String decoded;
      try {
        decoded =
            new String(
                Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new Refused("bad base64");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new Refused("no colon");
      }
      // RFC 6749 section 2.3.1: both parts are form-encoded before Basic
      String id = URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
      String secret = URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
      return bySecret(id, secret);
    }
    if (post) {
      return bySecret(form.get("client_id"), form.get("client_secret"));
    }
    if (!JWT_BEARER.equals(form.get("client_assertion_type"))) {
      throw new Refused("client_assertion_type must be jwt-bearer");
    }
    SignedJWT a;
    JWTClaimsSet claims;
    try {
      a = SignedJWT.parse(form.get("client_assertion"));
      claims = a.getJWTClaimsSet();
    } catch (ParseException | NullPointerException e) {
      throw new Refused("client_assertion is not a JWT");
    }
    Client c = claims.getSubject() == null ? null : clients.get(claims.getSubject());
    if (c == null || c.publicKey() == null) {
      throw new Refused("unknown client");
    }
    if (form.get("client_id") != null && !form.get("client_id").equals(c.id())) {
      throw new Refused("client_id does not match the assertion");
    }
    try {
      JWSVerifier v =
          c.publicKey() instanceof RSAPublicKey rsa
              ? new RSASSAVerifier(rsa)
              : new ECDSAVerifier((ECPublicKey) c.publicKey());
      if (!a.verify(v)) {
        throw new Refused("bad signature");
      }
    } catch (JOSEException e) {
      throw new Refused("cannot verify");
    }
    if (!c.id().equals(claims.getIssuer())) {
      throw new Refused("iss must be the client id");
    }
    if (claims.getAudience() == null
        || !(claims.getAudience().contains(tokenUrl())
            || claims.getAudience().contains(endpoint))) {
      throw new Refused("aud must be the token endpoint");
    }
    if (claims.getExpirationTime() == null
        || !claims.getExpirationTime().toInstant().isAfter(clock.instant())) {
      throw new Refused("expired assertion");
    }
    if (claims.getJWTID() == null || !seenJti.add(claims.getJWTID())) {
      throw new Refused("jti missing or replayed");
    }
    return c;
  }

  private Client bySecret(String id, String secret) throws Refused {
    Client c = id == null ? null : clients.get(id);
    if (c == null
        || c.secret() == null
        || secret == null
        || !MessageDigest.isEqual(
            c.secret().getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8))) {
      throw new Refused("client authentication failed");
    }
    return c;
  }

  /** The parameters of a form body, or null when one is repeated (RFC 6749 section 3.2). */
  private static Map<String, String> form(String body) {
    Map<String, String> m = new HashMap<>();
    if (body.isEmpty()) {
      return m;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (m.put(k, v) != null) {
        return null;
      }
    }
    return m;
  }

  private static String error(String code, String description) {
    return "{\"error\":\"" + code + "\",\"error_description\":\"" + description + "\"}";
  }

  private static void send(HttpExchange x, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.getResponseHeaders().set("Cache-Control", "no-store");
    x.sendResponseHeaders(status, b.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
