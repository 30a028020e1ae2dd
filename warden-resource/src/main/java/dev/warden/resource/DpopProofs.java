package dev.warden.resource;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The resource side of DPoP (RFC 9449 section 4.3 and 7.1) for {@link ProtectedResource}: a Warden
 * token bound to a DPoP key ({@code cnf.jkt}) is accepted only with exactly one proof, {@code typ:
 * dpop+jwt}, signed with an asymmetric algorithm by the public {@code jwk} it carries (whose RFC
 * 7638 thumbprint is the token's {@code jkt}), naming this request's method and URI, carrying the
 * token's hash as {@code ath}, at most a minute old, and not seen before by this process. The same
 * rules as Warden's own verifier (warden-core {@code DpopVerifier}), written with Nimbus alone
 * since this library does not depend on Warden's core. Thread-safe.
 */
final class DpopProofs {
  /** Asymmetric algorithms a proof may use (RFC 9449 section 4.2: never none, never a MAC). */
  static final List<String> ALGORITHMS =
      List.of(
          "ES256", "ES384", "ES512", "EdDSA", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512");

  static final long MAX_AGE_SECONDS = 60;
  static final long MAX_SKEW_SECONDS = 10;
  private static final int MAX_PROOF_LENGTH = 8 * 1024;
  private static final int MAX_REMEMBERED = 100_000;
  private static final JOSEObjectType DPOP_JWT = new JOSEObjectType("dpop+jwt");

  private final Clock clock;
  private final ConcurrentHashMap<String, Long> seen = new ConcurrentHashMap<>();

  DpopProofs(Clock clock) {
    this.clock = clock;
  }

  /** Why a proof was refused; the message says which rule it broke. */
  static final class InvalidProofException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidProofException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Checks the proofs sent with a token bound to {@code jkt}.
   *
   * @param uri the request's URI as the client addressed it
   * @throws InvalidProofException saying which rule the proof broke
   */
  void verify(List<String> proofs, String method, String uri, String token, String jkt)
      throws InvalidProofException {
    if (proofs.size() != 1) {
      throw new InvalidProofException(
          proofs.isEmpty() ? "no DPoP header was sent" : "send exactly one DPoP header");
    }
    String proof = proofs.getFirst();
    if (proof.length() > MAX_PROOF_LENGTH) {
      throw new InvalidProofException("the DPoP proof is too long");
    }
    SignedJWT jwt;
    JWTClaimsSet c;
    try {
      jwt = SignedJWT.parse(proof);
      c = jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      // Nimbus throws NullPointerException on a header that is JSON null (found by fuzzing)
      throw new InvalidProofException("the DPoP proof is not a signed JWT");
    }
    JWSHeader h = jwt.getHeader();
    if (!DPOP_JWT.equals(h.getType())) {
      throw new InvalidProofException("the DPoP proof's typ must be dpop+jwt");
    }
    if (!ALGORITHMS.contains(h.getAlgorithm().getName())) {
      throw new InvalidProofException("the DPoP proof's alg must be one of " + ALGORITHMS);
    }
    if (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty()) {
      throw new InvalidProofException("the DPoP proof has crit header parameters");
    }
    JWK key = h.getJWK();
    if (key == null || key.isPrivate() || !(key instanceof AsymmetricJWK)) {
      throw new InvalidProofException("the DPoP proof's jwk must be a public asymmetric key");
    }
    if (key instanceof RSAKey rsa && rsa.size() < 2048) {
      throw new InvalidProofException("the DPoP proof's RSA key is shorter than 2048 bits");
    }
    try {
      // EdDSA through Nimbus needs Tink, an optional dependency of this library
      JWSVerifier v =
          key instanceof OctetKeyPair okp
              ? new Ed25519Verifier(okp.toPublicJWK())
              : new DefaultJWSVerifierFactory()
                  .createJWSVerifier(h, ((AsymmetricJWK) key).toPublicKey());
      if (!jwt.verify(v)) {
        throw new InvalidProofException("the DPoP proof's signature does not verify");
      }
    } catch (JOSEException | IllegalStateException | LinkageError e) {
      throw new InvalidProofException("the DPoP proof's signature cannot be verified");
    }
    if (!(c.getClaim("jti") instanceof String jti) || jti.isEmpty() || jti.length() > 256) {
      throw new InvalidProofException("the DPoP proof has no jti");
    }
    if (!method.equals(c.getClaim("htm"))) {
      throw new InvalidProofException("the DPoP proof's htm must be " + method);
    }
    String expected = normalize(uri);
    if (expected == null
        || !(c.getClaim("htu") instanceof String htu)
        || !expected.equals(normalize(htu))) {
      throw new InvalidProofException("the DPoP proof's htu must be " + expected);
    }
    if (!(c.getClaim("iat") instanceof java.util.Date iatDate)) {
      throw new InvalidProofException("the DPoP proof has no iat");
    }
    long iat = iatDate.getTime() / 1000;
    long now = clock.instant().getEpochSecond();
    if (iat < now - MAX_AGE_SECONDS || iat > now + MAX_SKEW_SECONDS) {
      throw new InvalidProofException("the DPoP proof's iat is too old or in the future");
    }
    byte[] ath =
        c.getClaim("ath") instanceof String a ? a.getBytes(StandardCharsets.US_ASCII) : new byte[0];
    if (!MessageDigest.isEqual(ath, sha256(token).getBytes(StandardCharsets.US_ASCII))) {
      throw new InvalidProofException("the DPoP proof's ath must be the hash of this token");
    }
    String thumbprint;
    try {
      thumbprint = key.computeThumbprint().toString();
    } catch (JOSEException e) {
      throw new InvalidProofException("the DPoP proof's key has no thumbprint");
    }
    if (!MessageDigest.isEqual(
        thumbprint.getBytes(StandardCharsets.US_ASCII), jkt.getBytes(StandardCharsets.US_ASCII))) {
      throw new InvalidProofException(
          "the DPoP proof is signed by a key other than the one this token is bound to");
    }
    remember(thumbprint + " " + method + " " + expected + " " + jti, iat + MAX_AGE_SECONDS, now);
  }

  private void remember(String key, long forgetAfter, long now) throws InvalidProofException {
    if (seen.size() >= MAX_REMEMBERED) {
      synchronized (this) {
        seen.values().removeIf(t -> t < now);
      }
      if (seen.size() >= MAX_REMEMBERED) {
        throw new InvalidProofException("too many recent DPoP proofs; retry in a minute");
      }
    }
    Long previous = seen.putIfAbsent(key, forgetAfter);
    if (previous != null && !(previous < now && seen.replace(key, previous, forgetAfter))) {
      throw new InvalidProofException("this DPoP proof was used before; make a new one");
    }
  }

  /** RFC 9449 section 4.3 step 9: no query or fragment, scheme and host in lower case. */
  static @Nullable String normalize(String uri) {
    try {
      URI u = new URI(uri);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!Set.of("http", "https").contains(scheme) || u.getHost() == null) {
        return null;
      }
      int port = u.getPort();
      boolean defaultPort = port == -1 || port == ("https".equals(scheme) ? 443 : 80);
      String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
      return scheme
          + "://"
          + u.getHost().toLowerCase(Locale.ROOT)
          + (defaultPort ? "" : ":" + port)
          + path;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  static String sha256(String token) {
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              MessageDigest.getInstance("SHA-256")
                  .digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
