package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Configuration of one OIDC/JWT trust provider. Issuer, audiences and the algorithm allow-list are
 * mandatory: a provider never accepts a token by default.
 *
 * @param jwksUri where to fetch the issuer's keys; null means discover it from {@code
 *     <issuer>/.well-known/openid-configuration}
 * @param jwks an inline JWK set (JSON) for air-gapped clusters; when set nothing is fetched
 * @param maxTokenAge tokens whose {@code iat} is older than this are refused
 * @param claims extra claim → selector-key mappings, added to the preset's; a claim is a top-level
 *     name or a JSON pointer such as {@code /kubernetes.io/namespace}
 * @param requiredClaims claims that must be present (beyond the preset's)
 * @param nodeAttestation whether this provider's tokens may attest a Warden agent (node
 *     attestation). Off by default: a workload's platform token must not make its holder an agent,
 *     whose node selectors decide which workloads' SVIDs it may obtain. Even when on, a token that
 *     identifies a registered workload is refused as node evidence.
 */
public record TrustProviderSpec(
    String name,
    ProviderType type,
    String issuer,
    @Nullable String jwksUri,
    @Nullable String jwks,
    List<String> audiences,
    List<String> algorithms,
    Duration maxTokenAge,
    Duration clockSkew,
    Map<String, String> claims,
    List<String> requiredClaims,
    boolean nodeAttestation)
    implements Named {

  /** Asymmetric JWS algorithms only: never {@code none}, never HMAC (a public key is no secret). */
  public static final Set<String> ALLOWED_ALGORITHMS =
      Set.of(
          "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

  public static final Duration DEFAULT_MAX_TOKEN_AGE = Duration.ofHours(24);
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

  public TrustProviderSpec {
    Names.check("name", name);
    if (type == null) {
      throw new ValidationException(
          "type", "is required (kubernetes, github-actions, gitlab-ci or oidc)");
    }
    Names.required("issuer", issuer);
    checkHttpsUrl("issuer", issuer);
    if (jwksUri != null && !jwksUri.isBlank()) {
      checkHttpsUrl("jwksUri", jwksUri);
    } else {
      jwksUri = null;
    }
    jwks = jwks == null || jwks.isBlank() ? null : jwks;
    if (audiences == null || audiences.isEmpty()) {
      throw new ValidationException(
          "audiences",
          "at least one audience is required; tokens minted for other audiences are refused");
    }
    audiences = List.copyOf(audiences);
    if (algorithms == null || algorithms.isEmpty()) {
      throw new ValidationException(
          "algorithms",
          "an explicit allow-list is required, e.g. [RS256]; allowed: " + ALLOWED_ALGORITHMS);
    }
    algorithms = List.copyOf(algorithms);
    for (String a : algorithms) {
      if (!ALLOWED_ALGORITHMS.contains(a)) {
        throw new ValidationException(
            "algorithms", "'" + a + "' is not allowed; allowed: " + ALLOWED_ALGORITHMS);
      }
    }
    maxTokenAge = maxTokenAge == null ? DEFAULT_MAX_TOKEN_AGE : maxTokenAge;
    clockSkew = clockSkew == null ? DEFAULT_CLOCK_SKEW : clockSkew;
    if (maxTokenAge.isNegative() || maxTokenAge.isZero()) {
      throw new ValidationException("maxTokenAge", "must be positive");
    }
    if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new ValidationException("clockSkew", "must be between 0s and 5m");
    }
    claims = claims == null ? Map.of() : Map.copyOf(claims);
    requiredClaims = requiredClaims == null ? List.of() : List.copyOf(requiredClaims);
  }

  /** A provider for workload tokens only (no node attestation). */
  public TrustProviderSpec(
      String name,
      ProviderType type,
      String issuer,
      String jwksUri,
      String jwks,
      List<String> audiences,
      List<String> algorithms,
      Duration maxTokenAge,
      Duration clockSkew,
      Map<String, String> claims,
      List<String> requiredClaims) {
    this(
        name,
        type,
        issuer,
        jwksUri,
        jwks,
        audiences,
        algorithms,
        maxTokenAge,
        clockSkew,
        claims,
        requiredClaims,
        false);
  }

  private static void checkHttpsUrl(String field, String url) {
    URI u;
    try {
      u = new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new ValidationException(field, "'" + url + "' is not a URL: " + e.getReason());
    }
    String scheme = u.getScheme();
    boolean loopback =
        "http".equals(scheme)
            && u.getHost() != null
            && (u.getHost().equals("127.0.0.1")
                || u.getHost().equals("localhost")
                || u.getHost().equals("[::1]"));
    if (!"https".equals(scheme) && !loopback) {
      throw new ValidationException(
          field,
          "'" + url + "' must be an https URL (http is accepted only on loopback, for tests)");
    }
    if (u.getQuery() != null || u.getFragment() != null) {
      throw new ValidationException(field, "must not contain a query or fragment");
    }
  }
}
