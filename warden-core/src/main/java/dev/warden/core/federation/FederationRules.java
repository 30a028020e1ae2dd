package dev.warden.core.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.core.model.FederationCloud;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The documented requirements each cloud places on an OIDC issuer and its tokens, checked against
 * what was observed of a Warden server ({@link IssuerFacts}: fetched by the caller, since core does
 * no HTTP). Every rule yields one {@link Finding}, passed or broken, with a message that says what
 * the cloud does and what to change. Sources and the reasoning per rule: docs/federation.md,
 * decision 115.
 */
public final class FederationRules {
  private FederationRules() {}

  /** The rules, in the order a cloud meets them. */
  public enum Rule {
    ISSUER_HTTPS("issuer.https", "the issuer is an https URL"),
    ISSUER_NO_PORT("issuer.no-port", "the issuer names no port"),
    ISSUER_PLAIN("issuer.plain", "the issuer has no query, fragment, user info or trailing slash"),
    ISSUER_LENGTH("issuer.length", "the issuer fits the cloud's field"),
    TLS_TRUSTED("tls.trusted", "the issuer's TLS certificate chains to a public root"),
    DISCOVERY_FETCHED("discovery.fetched", "/.well-known/openid-configuration answers JSON"),
    DISCOVERY_ISSUER("discovery.issuer", "discovery's issuer equals the issuer exactly"),
    DISCOVERY_JWKS_URI("discovery.jwks-uri", "jwks_uri is https on the issuer's host"),
    DISCOVERY_MEMBERS("discovery.members", "discovery has the members OIDC Discovery requires"),
    DISCOVERY_ALGS("discovery.algs", "id_token_signing_alg_values_supported lists every key's alg"),
    JWKS_FETCHED("jwks.fetched", "jwks_uri answers a JWK set"),
    JWKS_KEYS("jwks.keys", "every key has kid, kty, alg, use=sig and a sound public key"),
    JWKS_CLOUD_ALG("jwks.cloud-alg", "a published key uses an algorithm the cloud accepts"),
    JWKS_COUNT("jwks.count", "the JWKS holds no more keys than the cloud reads"),
    TOKEN_HEADER("token.header", "the token's kid is published and its alg is accepted"),
    TOKEN_SIGNATURE("token.signature", "the token verifies under its published key"),
    TOKEN_ISSUER("token.iss", "the token's iss equals the issuer exactly"),
    TOKEN_AUDIENCE("token.aud", "the token's aud is the one audience the cloud expects"),
    TOKEN_SUBJECT("token.sub", "the token's sub fits the cloud"),
    TOKEN_LIFETIME("token.lifetime", "the token lives at most one hour");

    private final String id;
    private final String summary;

    Rule(String id, String summary) {
      this.id = id;
      this.summary = summary;
    }

    /** Stable identifier, as {@code --output json} prints it. */
    public String id() {
      return id;
    }

    public String summary() {
      return summary;
    }

    /** Token rules need a sample token. */
    public boolean needsToken() {
      return name().startsWith("TOKEN_");
    }
  }

  /** The verdict of one rule. */
  public record Finding(Rule rule, boolean ok, String message) {}

  /** How the issuer's TLS looked to a client with the default (public) trust store. */
  public enum Tls {
    TRUSTED,
    UNTRUSTED,
    NOT_TLS
  }

  /**
   * A token to inspect.
   *
   * @param expectedAudience the audience the cloud is configured with
   * @param lifetimeSeconds the lifetime a real token gets; null to read it from the token's exp -
   *     iat
   */
  public record SampleToken(String token, String expectedAudience, Long lifetimeSeconds) {}

  /**
   * What was observed of an issuer.
   *
   * @param issuer the issuer URL the cloud is (to be) configured with
   * @param discovery the parsed discovery document, or null with {@code discoveryError}
   * @param jwks the parsed JWK set, or null with {@code jwksError}
   * @param tlsDetail why the TLS status is what it is
   * @param sample a token to inspect, or null
   */
  public record IssuerFacts(
      String issuer,
      JsonNode discovery,
      String discoveryError,
      JsonNode jwks,
      String jwksError,
      Tls tls,
      String tlsDetail,
      SampleToken sample) {
    public IssuerFacts withDiscovery(JsonNode d) {
      return new IssuerFacts(issuer, d, discoveryError, jwks, jwksError, tls, tlsDetail, sample);
    }

    public IssuerFacts withJwks(JsonNode j) {
      return new IssuerFacts(
          issuer, discovery, discoveryError, j, jwksError, tls, tlsDetail, sample);
    }

    public IssuerFacts withIssuer(String i) {
      return new IssuerFacts(i, discovery, discoveryError, jwks, jwksError, tls, tlsDetail, sample);
    }

    public IssuerFacts withSample(SampleToken s) {
      return new IssuerFacts(issuer, discovery, discoveryError, jwks, jwksError, tls, tlsDetail, s);
    }
  }

  /** Every rule that applies (token rules only with a sample), in {@link Rule} order. */
  public static List<Finding> check(FederationCloud cloud, IssuerFacts f) {
    List<Finding> out = new ArrayList<>();
    for (Rule r : Rule.values()) {
      if (r.needsToken() && f.sample() == null) {
        continue;
      }
      out.add(check(r, cloud, f));
    }
    return out;
  }

  /** One rule's verdict; never throws for what the issuer served or the token holds. */
  public static Finding check(Rule r, FederationCloud cloud, IssuerFacts f) {
    String problem;
    try {
      problem =
          switch (r) {
            case ISSUER_HTTPS -> issuerHttps(f);
            case ISSUER_NO_PORT -> issuerNoPort(f);
            case ISSUER_PLAIN -> issuerPlain(f);
            case ISSUER_LENGTH ->
                f.issuer().length() <= cloud.maxIssuer()
                    ? null
                    : "the issuer is "
                        + f.issuer().length()
                        + " characters; "
                        + cloud.kind()
                        + " stores at most "
                        + cloud.maxIssuer();
            case TLS_TRUSTED -> tls(f);
            case DISCOVERY_FETCHED ->
                f.discovery() != null && f.discovery().isObject()
                    ? null
                    : "cannot read "
                        + f.issuer()
                        + "/.well-known/openid-configuration: "
                        + f.discoveryError();
            case DISCOVERY_ISSUER -> discoveryIssuer(f);
            case DISCOVERY_JWKS_URI -> jwksUri(f);
            case DISCOVERY_MEMBERS -> members(f);
            case DISCOVERY_ALGS -> discoveryAlgs(f);
            case JWKS_FETCHED ->
                f.jwks() != null && f.jwks().path("keys").isArray()
                    ? null
                    : "cannot read the JWK set at jwks_uri: "
                        + (f.jwksError() == null ? "no \"keys\" array" : f.jwksError());
            case JWKS_KEYS -> keys(f);
            case JWKS_CLOUD_ALG -> cloudAlg(cloud, f);
            case JWKS_COUNT -> count(cloud, f);
            case TOKEN_HEADER -> tokenHeader(cloud, f);
            case TOKEN_SIGNATURE -> signature(f);
            case TOKEN_ISSUER -> tokenIssuer(f);
            case TOKEN_AUDIENCE -> tokenAudience(f);
            case TOKEN_SUBJECT -> tokenSubject(cloud, f);
            case TOKEN_LIFETIME -> lifetime(f);
          };
    } catch (java.text.ParseException | com.nimbusds.jose.JOSEException e) {
      problem = "the token cannot be parsed or verified: " + e.getMessage();
    } catch (RuntimeException e) {
      // what the issuer serves is outside input: whatever a JOSE parser makes of it is a broken
      // rule
      problem = "cannot be checked: " + e;
    }
    return new Finding(r, problem == null, problem == null ? r.summary() : problem);
  }

  private static URI uri(String s) {
    try {
      return new URI(s);
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static String issuerHttps(IssuerFacts f) {
    URI u = uri(f.issuer());
    return u != null && "https".equals(u.getScheme()) && u.getHost() != null
        ? null
        : "'"
            + f.issuer()
            + "' is not an https URL; AWS, GCP and Entra fetch discovery and keys over https only:"
            + " put Warden (or a TLS proxy) at https://<public-host> and set server.issuer to it";
  }

  private static String issuerNoPort(IssuerFacts f) {
    URI u = uri(f.issuer());
    return u != null && u.getPort() == -1
        ? null
        : "'"
            + f.issuer()
            + "' names a port; AWS refuses an OIDC provider"
            + " URL with a port: serve on 443 (or behind a proxy on 443) and set server.issuer without the port";
  }

  private static String issuerPlain(IssuerFacts f) {
    URI u = uri(f.issuer());
    if (u == null) {
      return "'" + f.issuer() + "' is not a URL";
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
      return "'" + f.issuer() + "' has a query, fragment or user info; OIDC issuers may have none";
    }
    if (f.issuer().endsWith("/")) {
      return "'"
          + f.issuer()
          + "' ends with '/'; clouds compare iss byte for byte and build"
          + " <issuer>/.well-known/openid-configuration, so drop the slash";
    }
    return null;
  }

  private static String tls(IssuerFacts f) {
    return switch (f.tls()) {
      case TRUSTED -> null;
      case NOT_TLS -> "the issuer is not served over TLS, so the clouds cannot reach it";
      case UNTRUSTED ->
          "the TLS certificate does not chain to a public root ("
              + f.tlsDetail()
              + "); GCP refuses self-signed endpoints and AWS trusts only its root list (or a pinned thumbprint)";
    };
  }

  private static String discoveryIssuer(IssuerFacts f) {
    if (f.discovery() == null) {
      return "not checked: discovery unreadable";
    }
    String iss = f.discovery().path("issuer").asText(null);
    return f.issuer().equals(iss)
        ? null
        : "discovery says issuer '"
            + iss
            + "' but the cloud is configured with '"
            + f.issuer()
            + "'; they must be equal byte for byte (set server.issuer to the public URL)";
  }

  private static String jwksUri(IssuerFacts f) {
    if (f.discovery() == null) {
      return "not checked: discovery unreadable";
    }
    String j = f.discovery().path("jwks_uri").asText(null);
    URI ju = j == null ? null : uri(j);
    URI iu = uri(f.issuer());
    if (ju == null || iu == null) {
      return "jwks_uri is missing or not a URL";
    }
    if (!"https".equals(ju.getScheme())) {
      return "jwks_uri '" + j + "' is not https; the clouds fetch keys over https only";
    }
    if (!String.valueOf(ju.getHost()).equalsIgnoreCase(String.valueOf(iu.getHost()))
        || ju.getPort() != iu.getPort()) {
      return "jwks_uri '" + j + "' is not on the issuer's host " + iu.getHost();
    }
    return null;
  }

  private static String members(IssuerFacts f) {
    if (f.discovery() == null) {
      return "not checked: discovery unreadable";
    }
    List<String> missing = new ArrayList<>();
    for (String m :
        List.of(
            "response_types_supported",
            "subject_types_supported",
            "id_token_signing_alg_values_supported")) {
      JsonNode v = f.discovery().get(m);
      if (v == null || !v.isArray() || v.isEmpty()) {
        missing.add(m);
      }
    }
    if (!f.discovery().hasNonNull("jwks_uri")) {
      missing.add("jwks_uri");
    }
    return missing.isEmpty()
        ? null
        : "discovery lacks "
            + String.join(", ", missing)
            + " (REQUIRED by OpenID Connect Discovery 1.0 section 3, which GCP names); enable federation so Warden"
            + " advertises them";
  }

  private static Set<String> advertised(IssuerFacts f) {
    Set<String> s = new HashSet<>();
    f.discovery().path("id_token_signing_alg_values_supported").forEach(n -> s.add(n.asText()));
    return s;
  }

  private static String discoveryAlgs(IssuerFacts f) {
    if (f.discovery() == null || f.jwks() == null) {
      return "not checked: discovery or JWKS unreadable";
    }
    Set<String> adv = advertised(f);
    Set<String> used = new java.util.TreeSet<>();
    f.jwks().path("keys").forEach(k -> used.add(k.path("alg").asText("?")));
    used.removeAll(adv);
    return used.isEmpty()
        ? null
        : "keys use " + used + " but id_token_signing_alg_values_supported lists only " + adv;
  }

  private static String keys(IssuerFacts f) {
    if (f.jwks() == null) {
      return "not checked: JWKS unreadable";
    }
    Set<String> kids = new HashSet<>();
    for (JsonNode k : f.jwks().path("keys")) {
      String kid = k.path("kid").asText("");
      if (kid.isEmpty() || !kids.add(kid)) {
        return "a key has no kid or a kid used twice; the clouds pick the key by the token's kid";
      }
      if (!"sig".equals(k.path("use").asText()) || !k.hasNonNull("alg")) {
        return "key " + kid + " lacks use=sig or alg";
      }
      try {
        JWK jwk = JWK.parse(k.toString());
        if (jwk.isPrivate()) {
          return "key " + kid + " publishes private material";
        }
        if (jwk instanceof RSAKey rsa && (rsa.size() < 2048 || rsa.size() > 4096)) {
          return "RSA key " + kid + " is " + rsa.size() + " bits; the clouds take 2048 to 4096";
        }
        if (jwk instanceof ECKey ec && !"P-256".equals(ec.getCurve().getName())) {
          return "EC key " + kid + " is on " + ec.getCurve() + "; ES256 needs P-256";
        }
      } catch (java.text.ParseException e) {
        return "key " + kid + " is not a valid JWK: " + e.getMessage();
      }
    }
    return null;
  }

  private static String cloudAlg(FederationCloud cloud, IssuerFacts f) {
    if (f.jwks() == null) {
      return "not checked: JWKS unreadable";
    }
    for (JsonNode k : f.jwks().path("keys")) {
      if (cloud.algorithms().contains(k.path("alg").asText())) {
        return null;
      }
    }
    return "no published key uses "
        + cloud.algorithms()
        + ", which "
        + cloud.kind()
        + " requires; set"
        + " federation.algorithm: RS256 (the one algorithm AWS, GCP and Entra all accept)";
  }

  private static String count(FederationCloud cloud, IssuerFacts f) {
    if (f.jwks() == null) {
      return "not checked: JWKS unreadable";
    }
    int n = f.jwks().path("keys").size();
    if (cloud.maxJwksKeys() > 0 && n > cloud.maxJwksKeys()) {
      return "the JWKS has "
          + n
          + " keys; "
          + cloud.kind()
          + " reads at most "
          + cloud.maxJwksKeys()
          + ", so a token signed by a later key fails; shorten keys.retainAfterRetire";
    }
    return null;
  }

  private static JsonNode jwkFor(IssuerFacts f, String kid) {
    if (f.jwks() == null || kid == null) {
      return null;
    }
    for (JsonNode k : f.jwks().path("keys")) {
      if (kid.equals(k.path("kid").asText())) {
        return k;
      }
    }
    return null;
  }

  private static String tokenHeader(FederationCloud cloud, IssuerFacts f)
      throws java.text.ParseException {
    SignedJWT jwt = SignedJWT.parse(f.sample().token());
    String kid = jwt.getHeader().getKeyID();
    String alg = jwt.getHeader().getAlgorithm().getName();
    if (kid == null) {
      return "the token has no kid; every cloud requires one";
    }
    JsonNode jwk = jwkFor(f, kid);
    if (jwk == null) {
      return "kid " + kid + " is not in the JWKS at jwks_uri";
    }
    if (!cloud.algorithms().contains(alg)) {
      return "the token is signed "
          + alg
          + "; "
          + cloud.kind()
          + " accepts "
          + cloud.algorithms()
          + "; set federation.algorithm: RS256";
    }
    return alg.equals(jwk.path("alg").asText())
        ? null
        : "the token's alg " + alg + " differs from its key's alg " + jwk.path("alg").asText();
  }

  private static String signature(IssuerFacts f)
      throws java.text.ParseException, com.nimbusds.jose.JOSEException {
    SignedJWT jwt = SignedJWT.parse(f.sample().token());
    JsonNode k = jwkFor(f, jwt.getHeader().getKeyID());
    if (k == null) {
      return "no published key has the token's kid";
    }
    JWK jwk = JWK.parse(k.toString());
    JWSVerifier v =
        jwk instanceof RSAKey rsa
            ? new RSASSAVerifier(rsa)
            : jwk instanceof ECKey ec ? new ECDSAVerifier(ec) : null;
    if (v == null) {
      return "key "
          + jwk.getKeyID()
          + " is a "
          + jwk.getKeyType()
          + " key, which no cloud verifies";
    }
    return jwt.verify(v) ? null : "the signature does not verify under key " + jwk.getKeyID();
  }

  private static String tokenIssuer(IssuerFacts f) throws java.text.ParseException {
    String iss = SignedJWT.parse(f.sample().token()).getJWTClaimsSet().getIssuer();
    return f.issuer().equals(iss)
        ? null
        : "iss '" + iss + "' differs from the issuer '" + f.issuer() + "'";
  }

  private static String tokenAudience(IssuerFacts f) throws java.text.ParseException {
    List<String> aud = SignedJWT.parse(f.sample().token()).getJWTClaimsSet().getAudience();
    String want = f.sample().expectedAudience();
    if (aud == null || aud.size() != 1) {
      return "aud is " + aud + "; the clouds expect exactly one audience";
    }
    return want == null || want.equals(aud.get(0))
        ? null
        : "aud '"
            + aud.get(0)
            + "' differs from the expected '"
            + want
            + "'; set the resource's audience to what the cloud is configured with";
  }

  private static String tokenSubject(FederationCloud cloud, IssuerFacts f)
      throws java.text.ParseException {
    String sub = SignedJWT.parse(f.sample().token()).getJWTClaimsSet().getSubject();
    if (sub == null || sub.isEmpty()) {
      return "the token has no sub";
    }
    return cloud.subjectProblem(sub);
  }

  private static String lifetime(IssuerFacts f) throws java.text.ParseException {
    JWTClaimsSet c = SignedJWT.parse(f.sample().token()).getJWTClaimsSet();
    if (c.getIssueTime() == null || c.getExpirationTime() == null) {
      return "the token lacks iat or exp; GCP requires both";
    }
    long seconds =
        f.sample().lifetimeSeconds() != null
            ? f.sample().lifetimeSeconds()
            : (c.getExpirationTime().getTime() - c.getIssueTime().getTime()) / 1000;
    return seconds <= FederationCloud.MAX_LIFETIME.toSeconds()
        ? null
        : String.format(
            Locale.ROOT,
            "tokens live %d s; federation tokens must live at most 3600 s (Warden caps them; was this token minted"
                + " by another issuer?)",
            seconds);
  }
}
