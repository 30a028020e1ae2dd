package dev.warden.core.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.core.federation.FederationRules.IssuerFacts;
import dev.warden.core.model.FederationCloud;
import java.text.ParseException;
import java.util.List;
import java.util.Locale;

/**
 * The rules on a sample token: its header names a published key and an accepted algorithm, it
 * verifies under that key, and its iss, aud, sub and lifetime are what the cloud expects. A token
 * that does not parse is reported by the caller as the rule's problem.
 */
final class SampleTokenRules {
  private SampleTokenRules() {}

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

  static String tokenHeader(FederationCloud cloud, IssuerFacts f) throws ParseException {
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

  static String signature(IssuerFacts f) throws ParseException, JOSEException {
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

  static String tokenIssuer(IssuerFacts f) throws ParseException {
    String iss = SignedJWT.parse(f.sample().token()).getJWTClaimsSet().getIssuer();
    return f.issuer().equals(iss)
        ? null
        : "iss '" + iss + "' differs from the issuer '" + f.issuer() + "'";
  }

  static String tokenAudience(IssuerFacts f) throws ParseException {
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

  static String tokenSubject(FederationCloud cloud, IssuerFacts f) throws ParseException {
    String sub = SignedJWT.parse(f.sample().token()).getJWTClaimsSet().getSubject();
    if (sub == null || sub.isEmpty()) {
      return "the token has no sub";
    }
    return cloud.subjectProblem(sub);
  }

  static String lifetime(IssuerFacts f) throws ParseException {
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
