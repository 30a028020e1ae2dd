package dev.warden.core.federation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.DeniedException;
import dev.warden.core.federation.FederationRules.IssuerFacts;
import dev.warden.core.model.FederationCloud;
import dev.warden.core.trust.JwsKey;
import dev.warden.core.trust.UnverifiedJws;
import java.text.ParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The rules on a sample token: its header names a published key and an accepted algorithm, it
 * verifies under that key, and its iss, aud, sub and lifetime are what the cloud expects. A token
 * that does not parse is reported by the caller as the rule's problem. The token is parsed and its
 * signature checked by Warden's one JWS path ({@link UnverifiedJws}, {@link JwsKey}; decision 021).
 */
final class SampleTokenRules {
  private SampleTokenRules() {}

  /**
   * The sample token, parsed strictly.
   *
   * @throws ParseException when it is not a compact JWS whose header names an algorithm
   */
  /** The sample token: {@link FederationRules} runs a token rule only when there is one. */
  private static FederationRules.SampleToken sample(IssuerFacts f) {
    return java.util.Objects.requireNonNull(f.sample(), "a token rule runs only with a sample");
  }

  private static UnverifiedJws parse(IssuerFacts f) throws ParseException {
    UnverifiedJws jws;
    try {
      jws = UnverifiedJws.parse(sample(f).token());
    } catch (DeniedException e) {
      throw new ParseException(e.getMessage(), 0);
    }
    if (!(jws.header().get("alg") instanceof String alg) || alg.equals("none")) {
      throw new ParseException("the token's header names no signature algorithm", 0);
    }
    return jws;
  }

  /** The header's algorithm, which {@link #parse} checked is a string. */
  private static String alg(UnverifiedJws jws) {
    return (String) java.util.Objects.requireNonNull(jws.header().get("alg"), "alg");
  }

  private static @Nullable String kid(UnverifiedJws jws) throws ParseException {
    Object kid = jws.header().get("kid");
    if (kid != null && !(kid instanceof String)) {
      throw new ParseException("the token's kid is not a string", 0);
    }
    return (String) kid;
  }

  /** A registered string claim, null when absent. */
  private static @Nullable String string(Map<String, Object> claims, String name)
      throws ParseException {
    Object v = claims.get(name);
    if (v != null && !(v instanceof String)) {
      throw new ParseException("the token's " + name + " claim is not a string", 0);
    }
    return (String) v;
  }

  /** A NumericDate claim in whole seconds, null when absent. */
  private static @Nullable Long seconds(Map<String, Object> claims, String name)
      throws ParseException {
    Object v = claims.get(name);
    if (v == null) {
      return null;
    }
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Double d && Double.isFinite(d)) {
      return d.longValue();
    }
    throw new ParseException("the token's " + name + " claim is not a number of seconds", 0);
  }

  private static @Nullable JsonNode jwkFor(IssuerFacts f, @Nullable String kid) {
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

  static @Nullable String tokenHeader(FederationCloud cloud, IssuerFacts f) throws ParseException {
    UnverifiedJws jwt = parse(f);
    String kid = kid(jwt);
    String alg = alg(jwt);
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

  static @Nullable String signature(IssuerFacts f) throws ParseException {
    UnverifiedJws jwt = parse(f);
    JsonNode k = jwkFor(f, kid(jwt));
    if (k == null) {
      return "no published key has the token's kid";
    }
    String kty = k.path("kty").asText();
    String kid = k.path("kid").asText();
    if (!kty.equals("RSA") && !kty.equals("EC")) {
      return "key " + kid + " is a " + kty + " key, which no cloud verifies";
    }
    String alg = alg(jwt);
    JwsKey key;
    try {
      key = JwsKey.parse(k.toString(), Set.of(alg));
    } catch (IllegalArgumentException e) {
      return "key " + kid + " cannot verify the token's " + alg + ": " + e.getMessage();
    }
    return key.verifies(alg, jwt) ? null : "the signature does not verify under key " + kid;
  }

  static @Nullable String tokenIssuer(IssuerFacts f) throws ParseException {
    String iss = string(parse(f).claims(), "iss");
    return f.issuer().equals(iss)
        ? null
        : "iss '" + iss + "' differs from the issuer '" + f.issuer() + "'";
  }

  static @Nullable String tokenAudience(IssuerFacts f) throws ParseException {
    Object a = parse(f).claims().get("aud");
    List<?> aud = a == null ? null : a instanceof List<?> l ? l : List.of(a);
    if (aud != null && aud.stream().anyMatch(x -> !(x instanceof String))) {
      throw new ParseException("the token's aud claim is not a string or a list of strings", 0);
    }
    String want = sample(f).expectedAudience();
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

  static @Nullable String tokenSubject(FederationCloud cloud, IssuerFacts f) throws ParseException {
    String sub = string(parse(f).claims(), "sub");
    if (sub == null || sub.isEmpty()) {
      return "the token has no sub";
    }
    return cloud.subjectProblem(sub);
  }

  static @Nullable String lifetime(IssuerFacts f) throws ParseException {
    Map<String, Object> c = parse(f).claims();
    Long iat = seconds(c, "iat");
    Long exp = seconds(c, "exp");
    if (iat == null || exp == null) {
      return "the token lacks iat or exp; GCP requires both";
    }
    Long given = sample(f).lifetimeSeconds();
    long seconds = given != null ? given : exp - iat;
    return seconds <= FederationCloud.MAX_LIFETIME.toSeconds()
        ? null
        : String.format(
            Locale.ROOT,
            "tokens live %d s; federation tokens must live at most 3600 s (Warden caps them; was this token minted"
                + " by another issuer?)",
            seconds);
  }
}
