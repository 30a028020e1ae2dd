package dev.warden.core.federation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.model.FederationCloud;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The documented requirements each cloud places on an OIDC issuer and its tokens, checked against
 * what was observed of a Warden server ({@link IssuerFacts}: fetched by the caller, since core does
 * no HTTP). Every rule yields one {@link Finding}, passed or broken, with a message that says what
 * the cloud does and what to change. Sources and the reasoning per rule: docs/federation.md,
 * decision 115.
 *
 * <p>This class holds the vocabulary and the order; the rules are {@link IssuerRules}, {@link
 * PublishedKeyRules} and {@link SampleTokenRules}.
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
  public record SampleToken(
      String token, @Nullable String expectedAudience, @Nullable Long lifetimeSeconds) {}

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
      @Nullable JsonNode discovery,
      @Nullable String discoveryError,
      @Nullable JsonNode jwks,
      @Nullable String jwksError,
      Tls tls,
      String tlsDetail,
      @Nullable SampleToken sample) {
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
            case ISSUER_HTTPS -> IssuerRules.issuerHttps(f);
            case ISSUER_NO_PORT -> IssuerRules.issuerNoPort(f);
            case ISSUER_PLAIN -> IssuerRules.issuerPlain(f);
            case ISSUER_LENGTH ->
                f.issuer().length() <= cloud.maxIssuer()
                    ? null
                    : "the issuer is "
                        + f.issuer().length()
                        + " characters; "
                        + cloud.kind()
                        + " stores at most "
                        + cloud.maxIssuer();
            case TLS_TRUSTED -> IssuerRules.tls(f);
            case DISCOVERY_FETCHED ->
                f.discovery() != null && f.discovery().isObject()
                    ? null
                    : "cannot read "
                        + f.issuer()
                        + "/.well-known/openid-configuration: "
                        + f.discoveryError();
            case DISCOVERY_ISSUER -> PublishedKeyRules.discoveryIssuer(f);
            case DISCOVERY_JWKS_URI -> PublishedKeyRules.jwksUri(f);
            case DISCOVERY_MEMBERS -> PublishedKeyRules.members(f);
            case DISCOVERY_ALGS -> PublishedKeyRules.discoveryAlgs(f);
            case JWKS_FETCHED ->
                f.jwks() != null && f.jwks().path("keys").isArray()
                    ? null
                    : "cannot read the JWK set at jwks_uri: "
                        + (f.jwksError() == null ? "no \"keys\" array" : f.jwksError());
            case JWKS_KEYS -> PublishedKeyRules.keys(f);
            case JWKS_CLOUD_ALG -> PublishedKeyRules.cloudAlg(cloud, f);
            case JWKS_COUNT -> PublishedKeyRules.count(cloud, f);
            case TOKEN_HEADER -> SampleTokenRules.tokenHeader(cloud, f);
            case TOKEN_SIGNATURE -> SampleTokenRules.signature(f);
            case TOKEN_ISSUER -> SampleTokenRules.tokenIssuer(f);
            case TOKEN_AUDIENCE -> SampleTokenRules.tokenAudience(f);
            case TOKEN_SUBJECT -> SampleTokenRules.tokenSubject(cloud, f);
            case TOKEN_LIFETIME -> SampleTokenRules.lifetime(f);
          };
    } catch (java.text.ParseException e) {
      problem = "the token cannot be parsed or verified: " + e.getMessage();
    } catch (RuntimeException e) {
      // what the issuer serves is outside input: whatever a JOSE parser makes of it is a broken
      // rule
      problem = "cannot be checked: " + e;
    }
    return new Finding(r, problem == null, problem == null ? r.summary() : problem);
  }
}
