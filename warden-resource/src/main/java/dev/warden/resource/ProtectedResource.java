package dev.warden.resource;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What an MCP server (or any HTTP API) embeds to be a resource server of Warden: it serves its
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) and checks each request's bearer token,
 * answering as the MCP authorization specification asks.
 *
 * <pre>{@code
 * ProtectedResource pr = ProtectedResource.builder("https://mcp.example.com/mcp", "https://warden.example.com")
 *     .scopesSupported("notes:read", "notes:write").build();
 * server.createContext(pr.metadataPath(), pr.metadataHandler());
 * server.createContext("/mcp", mcpHandler).getFilters().add(pr.filter("notes:read"));
 * }</pre>
 *
 * <p>A token is accepted when its signature verifies with a key of Warden's JWK set (fetched from
 * {@code <issuer>/oauth2/jwks}, cached, refreshed on an unknown {@code kid}; ES256, or EdDSA with
 * Tink on the class path), its header {@code typ} is {@code JWT} or {@code at+jwt} (never a
 * JWT-SVID's {@code JOSE}), {@code iss} is Warden's issuer, {@code aud} is exactly this resource's
 * canonical URI (RFC 8707: a token for another MCP server is refused, there is no pass-through),
 * {@code exp} has not passed (30 s skew) and, when introspection is configured, Warden still calls
 * it active (revocation).
 *
 * <p>Answers: no token: 401 with {@code WWW-Authenticate: Bearer resource_metadata="…", scope="…"};
 * a bad token: 401 with {@code error="invalid_token"} (a token bound to a DPoP key, RFC 9449, needs
 * its proof: see {@link #authenticate(String, List, String, String, Set)}); a good token without a
 * needed scope: 403 with {@code error="insufficient_scope"} and the {@code scope} to ask for
 * (step-up). Thread-safe.
 *
 * <p>Why it is over 400 lines: MCP servers embed this one public class of a module that depends on
 * nothing but Nimbus; its builder, token checks, challenges and JDK HTTP filter stay one type so
 * that the embedding API stays one type.
 */
public final class ProtectedResource {
  /**
   * Why the adapters below may use the JDK's HTTP server, which forbidden-apis counts as
   * non-portable.
   */
  private static final String JDK_HTTP_SERVER =
      "the adapter for the JDK's own HTTP server (module jdk.httpserver, in"
          + " every OpenJDK) that MCP servers embedding this helper use";

  /**
   * A verified caller: the user or workload ({@code sub}), the client, the actor chain, the scopes.
   */
  public record Principal(
      String subject,
      @Nullable String clientId,
      List<String> actors,
      Set<String> scopes,
      Map<String, Object> claims) {}

  /** The outcome of {@link #authenticate}: exactly one of principal and challenge is set. */
  public record Outcome(
      @Nullable Principal principal,
      int status,
      @Nullable String wwwAuthenticate,
      @Nullable String body) {
    public boolean allowed() {
      return principal != null;
    }
  }

  private final String resource;
  private final String issuer;
  private final List<String> scopesSupported;
  private final String metadataUrl;
  private final String metadata;
  private final DefaultJWTProcessor<SecurityContext> processor;
  private final @Nullable URI introspection;
  private final @Nullable String introspectionToken;
  private final HttpClient http;
  private final DpopProofs dpop = new DpopProofs(java.time.Clock.systemUTC());
  private final String origin;

  private ProtectedResource(Builder b) {
    this.resource = b.resource;
    this.issuer = b.issuer;
    this.scopesSupported = List.copyOf(b.scopes);
    URI r = URI.create(resource);
    String path = r.getRawPath() == null || r.getRawPath().equals("/") ? "" : r.getRawPath();
    this.origin = r.getScheme() + "://" + r.getRawAuthority();
    // RFC 9728 section 3.1: the well-known segment goes between the host and the resource's path
    this.metadataUrl =
        r.getScheme()
            + "://"
            + r.getRawAuthority()
            + "/.well-known/oauth-protected-resource"
            + path;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("resource", resource);
    m.put("authorization_servers", List.of(issuer));
    if (!scopesSupported.isEmpty()) {
      m.put("scopes_supported", scopesSupported);
    }
    m.put("bearer_methods_supported", List.of("header"));
    // RFC 9728 section 2: a DPoP-bound token (RFC 9449) is checked with its proof here
    m.put("dpop_signing_alg_values_supported", DpopProofs.ALGORITHMS);
    if (b.name != null) {
      m.put("resource_name", b.name);
    }
    this.metadata = JSONObjectUtils.toJSONString(m);
    JWKSource<SecurityContext> keys;
    try {
      keys = JWKSourceBuilder.create(URI.create(b.jwksUri).toURL()).retrying(true).build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("jwksUri is not a URL: " + b.jwksUri, e);
    }
    this.processor = new DefaultJWTProcessor<>();
    processor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt")));
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.ES256, JWSAlgorithm.EdDSA), keys));
    DefaultJWTClaimsVerifier<SecurityContext> verifier =
        new DefaultJWTClaimsVerifier<>(
            resource,
            new JWTClaimsSet.Builder().issuer(issuer).build(),
            Set.of("sub", "exp", "iat"));
    verifier.setMaxClockSkew(30);
    processor.setJWTClaimsSetVerifier(verifier);
    this.introspection =
        b.introspectionToken == null ? null : URI.create(issuer + "/oauth2/introspect");
    this.introspectionToken = b.introspectionToken;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  }

  /**
   * @param resource this server's canonical URI, exactly as Warden's resource of kind {@code mcp}
   *     has it as audience, e.g. {@code https://mcp.example.com/mcp}
   * @param issuer Warden's issuer URL ({@code server.issuer})
   */
  public static Builder builder(String resource, String issuer) {
    return new Builder(resource, issuer);
  }

  /** Options of a {@link ProtectedResource}. */
  public static final class Builder {
    private final String resource;
    private final String issuer;
    private final List<String> scopes = new ArrayList<>();
    private String jwksUri;
    private @Nullable String name;
    private @Nullable String introspectionToken;

    private Builder(String resource, String issuer) {
      this.resource = Objects.requireNonNull(resource, "resource");
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      this.jwksUri = issuer + "/oauth2/jwks";
    }

    /** The scopes this server understands ({@code scopes_supported}). */
    public Builder scopesSupported(String... s) {
      scopes.addAll(List.of(s));
      return this;
    }

    /** Where Warden's keys are, when not {@code <issuer>/oauth2/jwks}. */
    public Builder jwksUri(String uri) {
      this.jwksUri = uri;
      return this;
    }

    /** A human-readable name ({@code resource_name}). */
    public Builder name(String n) {
      this.name = n;
      return this;
    }

    /**
     * Also asks Warden's introspection endpoint about every token (so a revoked token is refused at
     * once), authenticating with this admin token (scope {@code introspect} suffices).
     */
    public Builder introspectWith(String adminToken) {
      this.introspectionToken = adminToken;
      return this;
    }

    /**
     * @throws IllegalArgumentException when the resource is not an absolute https URI (http only on
     *     a loopback host) without fragment, or a URL is malformed
     */
    public ProtectedResource build() {
      URI r = URI.create(resource);
      boolean loopback =
          "http".equals(r.getScheme())
              && r.getHost() != null
              && (r.getHost().equals("127.0.0.1")
                  || r.getHost().equals("localhost")
                  || r.getHost().equals("[::1]"));
      if (!("https".equals(r.getScheme()) || loopback)
          || r.getRawFragment() != null
          || r.getHost() == null) {
        throw new IllegalArgumentException(
            "resource must be an absolute https URI without fragment: " + resource);
      }
      return new ProtectedResource(this);
    }
  }

  /** The URL of this server's metadata, named in every challenge. */
  public String metadataUrl() {
    return metadataUrl;
  }

  /** The path to serve {@link #metadataHandler()} at. */
  public String metadataPath() {
    return URI.create(metadataUrl).getRawPath();
  }

  /** The RFC 9728 metadata document (JSON). */
  public String metadataJson() {
    return metadata;
  }

  /**
   * Checks a request's Authorization header.
   *
   * @param authorization the header's value, or null
   * @param required scopes the request needs; all must be in the token's {@code scope}
   */
  public Outcome authenticate(@Nullable String authorization, Set<String> required) {
    return authenticate(authorization, List.of(), null, null, required);
  }

  /**
   * Checks a request's Authorization header and, for a token bound to a DPoP key ({@code cnf.jkt}),
   * its DPoP proof (RFC 9449): such a token is accepted only as {@code Authorization: DPoP <token>}
   * with exactly one valid proof of that key for this request; as a Bearer token it is refused
   * (401, {@code WWW-Authenticate: DPoP error="invalid_token"}), and a bad proof is {@code
   * error="invalid_dpop_proof"}. An unbound token is accepted as Bearer only.
   *
   * @param authorization the header's value, or null
   * @param dpopProofs every value of the request's {@code DPoP} header
   * @param method the request's HTTP method (null: DPoP-bound tokens are refused)
   * @param requestUri the request's URI as the client addressed it (null: DPoP-bound tokens are
   *     refused)
   * @param required scopes the request needs; all must be in the token's {@code scope}
   */
  public Outcome authenticate(
      @Nullable String authorization,
      List<String> dpopProofs,
      @Nullable String method,
      @Nullable String requestUri,
      Set<String> required) {
    String scopeHint = String.join(" ", required.isEmpty() ? scopesSupported : required);
    boolean dpopScheme =
        authorization != null && authorization.regionMatches(true, 0, "DPoP ", 0, 5);
    if (authorization == null
        || !(dpopScheme || authorization.regionMatches(true, 0, "Bearer ", 0, 7))) {
      return challenge(401, null, null, scopeHint);
    }
    String token = authorization.substring(dpopScheme ? 5 : 7).trim();
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException | BadJOSEException | JOSEException e) {
      return challenge(
          401, "invalid_token", "the access token is not valid here: " + describe(e), null);
    } catch (RuntimeException e) {
      // Nimbus throws NullPointerException on a header that is JSON null (found by fuzzing the
      // DPoP proof parser); any such token is simply not valid
      return challenge(401, "invalid_token", "the access token is not a readable JWT", null);
    }
    String jkt =
        claims.getClaim("cnf") instanceof Map<?, ?> cnf && cnf.get("jkt") instanceof String j
            ? j
            : null;
    if (jkt == null && dpopScheme) {
      return dpopChallenge(
          "invalid_token",
          "this token is not bound to a DPoP key; send it as Authorization: Bearer");
    }
    if (jkt != null && !dpopScheme) {
      return dpopChallenge(
          "invalid_token",
          "this token is bound to a DPoP key (cnf jkt, RFC 9449); send it as Authorization: DPoP"
              + " with a DPoP proof signed by that key");
    }
    if (jkt != null) {
      if (method == null || requestUri == null) {
        return dpopChallenge(
            "invalid_dpop_proof", "this server cannot check DPoP proofs on this path");
      }
      try {
        dpop.verify(dpopProofs, method, requestUri, token, jkt);
      } catch (DpopProofs.InvalidProofException e) {
        return dpopChallenge("invalid_dpop_proof", e.getMessage());
      }
    }
    if (introspection != null && !active(token)) {
      return challenge(401, "invalid_token", "the access token was revoked", null);
    }
    Set<String> scopes = new LinkedHashSet<>();
    Object scope = claims.getClaim("scope");
    if (scope instanceof String s && !s.isBlank()) {
      scopes.addAll(List.of(s.trim().split(" +")));
    }
    if (!scopes.containsAll(required)) {
      Set<String> needed = new LinkedHashSet<>(scopes);
      needed.addAll(required);
      return challenge(
          403,
          "insufficient_scope",
          "this request needs scope " + String.join(" ", required),
          String.join(" ", needed));
    }
    List<String> actors = new ArrayList<>();
    Object act = claims.getClaim("act");
    while (act instanceof Map<?, ?> m && m.get("sub") instanceof String sub && actors.size() < 16) {
      actors.add(sub);
      act = m.get("act");
    }
    Object clientId = claims.getClaim("client_id");
    return new Outcome(
        new Principal(
            claims.getSubject(),
            clientId instanceof String c ? c : null,
            List.copyOf(actors),
            Set.copyOf(scopes),
            claims.getClaims()),
        200,
        null,
        null);
  }

  private boolean active(String token) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(introspection)
                  .timeout(Duration.ofSeconds(5))
                  .header("Authorization", "Bearer " + introspectionToken)
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200
          && Boolean.TRUE.equals(JSONObjectUtils.parse(r.body()).get("active"));
    } catch (IOException | ParseException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Outcome challenge(
      int status, @Nullable String error, @Nullable String description, @Nullable String scope) {
    StringBuilder h =
        new StringBuilder("Bearer resource_metadata=\"").append(metadataUrl).append('"');
    if (error != null) {
      h.append(", error=\"").append(error).append('"');
    }
    if (scope != null && !scope.isEmpty()) {
      h.append(", scope=\"").append(quoted(scope)).append('"');
    }
    if (description != null) {
      h.append(", error_description=\"").append(quoted(description)).append('"');
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error == null ? "invalid_request" : error);
    if (description != null) {
      body.put("error_description", description);
    }
    return new Outcome(null, status, h.toString(), JSONObjectUtils.toJSONString(body));
  }

  /** RFC 9449 section 7.1: the DPoP challenge, naming the algorithms a proof may use. */
  private Outcome dpopChallenge(String error, @Nullable String description) {
    Outcome o = challenge(401, error, description, null);
    return new Outcome(
        null,
        401,
        "DPoP algs=\""
            + String.join(" ", DpopProofs.ALGORITHMS)
            + "\", "
            // challenge() always sets the header of a refusal
            + Objects.requireNonNull(o.wwwAuthenticate()).substring("Bearer ".length()),
        o.body());
  }

  /** RFC 6750 section 3: quoted-string values, here printable ASCII without quote or backslash. */
  private static String quoted(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
    }
    return sb.toString();
  }

  private static String describe(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.length() > 120 ? m.substring(0, 120) : m;
  }

  /** Serves {@link #metadataJson()} (JDK HTTP server). */
  @SuppressForbidden(JDK_HTTP_SERVER)
  public HttpHandler metadataHandler() {
    return ex -> send(ex, 200, metadata, null);
  }

  /**
   * A JDK HTTP server filter: a request passes with the verified {@link Principal} as exchange
   * attribute {@code warden.principal}, or is answered with the challenge.
   */
  @SuppressForbidden(JDK_HTTP_SERVER)
  public Filter filter(String... requiredScopes) {
    return new BearerFilter(Set.of(requiredScopes));
  }

  @SuppressForbidden(JDK_HTTP_SERVER)
  private final class BearerFilter extends Filter {
    private final Set<String> required;

    BearerFilter(Set<String> required) {
      this.required = required;
    }

    @Override
    public void doFilter(HttpExchange ex, Chain chain) throws IOException {
      List<String> proofs = ex.getRequestHeaders().get("DPoP");
      // the URI the client addressed: this resource's origin and the request's path
      Outcome o =
          authenticate(
              ex.getRequestHeaders().getFirst("Authorization"),
              proofs == null ? List.of() : proofs,
              ex.getRequestMethod(),
              origin + ex.getRequestURI().getRawPath(),
              required);
      if (o.allowed()) {
        ex.setAttribute("warden.principal", o.principal());
        chain.doFilter(ex);
      } else {
        send(ex, o.status(), Objects.requireNonNull(o.body()), o.wwwAuthenticate());
      }
    }

    @Override
    public String description() {
      return "Warden bearer token check for " + resource;
    }
  }

  @SuppressForbidden(JDK_HTTP_SERVER)
  private static void send(HttpExchange ex, int status, String body, @Nullable String challenge)
      throws IOException {
    try (ex) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      if (challenge != null) {
        ex.getResponseHeaders().set("WWW-Authenticate", challenge);
      }
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
