package dev.warden.core.grant;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.token.KeyManager;
import dev.warden.core.trust.UnverifiedJws;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A JWT-SVID this server's agents handed out, presented as the client's evidence (an RFC 7523
 * {@code client_assertion} or an RFC 8693 {@code actor_token}): verified with the trust domain's
 * JWT-SVID keys, its {@code aud} must name this server (its issuer or token endpoint), and its
 * {@code sub} is the registered workload it proves — as an X.509-SVID over mTLS would.
 *
 * <p>Told apart from platform tokens by shape: header {@code typ: JOSE}, no {@code iss}, and a
 * {@code sub} in this trust domain (the SPIFFE JWT-SVID profile Warden mints).
 */
final class JwtSvidAttestor {
  static final String PROVIDER = "jwt-svid";

  private final KeyManager keys;
  private final String trustDomain;
  private final List<String> audiences;
  private final dev.warden.core.token.KeyVerifiers verifiers =
      new dev.warden.core.token.KeyVerifiers();

  /**
   * @param audiences what the SVID's {@code aud} must contain one of: this server's issuer and
   *     token endpoint
   * @throws IllegalArgumentException when {@code keys} are not JWT-SVID keys
   */
  JwtSvidAttestor(KeyManager keys, String trustDomain, List<String> audiences) {
    if (keys.purpose() != KeyPurpose.JWT_SVID) {
      throw new IllegalArgumentException(
          "JWT-SVIDs are verified with JWT-SVID keys, not " + keys.purpose());
    }
    this.keys = keys;
    this.trustDomain = trustDomain;
    this.audiences = List.copyOf(audiences);
  }

  /** True when the (unverified) token has the JWT-SVID shape of this trust domain. */
  boolean looksLike(String token) {
    try {
      // the header first: platform tokens (typ JWT or none) are told apart without decoding their
      // payload, which every grant would otherwise do twice
      if (!"JOSE".equals(UnverifiedJws.headerOf(token).get("typ"))) {
        return false;
      }
      UnverifiedJws jws = UnverifiedJws.parse(token);
      return !jws.claims().containsKey("iss")
          && jws.claims().get("sub") instanceof String sub
          && sub.startsWith("spiffe://" + trustDomain + "/");
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * @throws DeniedException {@code unknown_kid}, {@code alg_not_allowed}, {@code bad_signature},
   *     {@code token_expired}, {@code wrong_audience} or {@code unknown_workload}
   */
  Workload attest(Evidence.PlatformToken evidence, PolicySnapshot snapshot, GrantContext ctx) {
    UnverifiedJws jws = UnverifiedJws.parse(evidence.token().reveal());
    Map<String, Object> header = jws.header();
    if (!(header.get("kid") instanceof String kid)
        || !"ES256".equals(header.get("alg"))
        || header.containsKey("crit")) {
      throw new DeniedException(
          Reason.ALG_NOT_ALLOWED, "a JWT-SVID of this trust domain is ES256 with a kid");
    }
    dev.warden.core.token.SigningKeyset keyset = keys.keyset();
    SigningKeyRecord key = null;
    for (SigningKeyRecord r : keyset.records()) {
      if (r.kid().equals(kid) && r.state() != KeyState.DESTROYED) {
        key = r;
      }
    }
    if (key == null) {
      throw new DeniedException(
          Reason.UNKNOWN_KID, "no published JWT-SVID key of this trust domain has this kid");
    }
    boolean valid;
    try {
      valid = key.algorithm().equals("ES256") && verifiers.of(keyset, key).verifies("ES256", jws);
    } catch (IllegalArgumentException e) {
      throw new DeniedException(
          Reason.BAD_SIGNATURE, "the JWT-SVID's signature cannot be verified");
    }
    if (!valid) {
      throw new DeniedException(Reason.BAD_SIGNATURE, "the JWT-SVID's signature does not verify");
    }
    Map<String, Object> c = jws.claims();
    if (!(c.get("exp") instanceof Long exp)) {
      throw new DeniedException(Reason.MISSING_CLAIM, "the JWT-SVID has no numeric exp");
    }
    if (!ctx.now().isBefore(Instant.ofEpochSecond(exp))) {
      throw new DeniedException(Reason.TOKEN_EXPIRED, "the JWT-SVID expired");
    }
    Object aud = c.get("aud");
    List<?> auds = aud instanceof List<?> l ? l : List.of(aud == null ? "" : aud);
    if (auds.stream().noneMatch(audiences::contains)) {
      throw new DeniedException(
          Reason.WRONG_AUDIENCE,
          "the JWT-SVID is not for this server: its aud must name " + audiences.getFirst());
    }
    String sub = (String) c.get("sub");
    SpiffeId id = SpiffeId.parse(sub);
    ctx.attested(PROVIDER, id.toString(), c, null);
    ctx.evidenceExpiresAt(Instant.ofEpochSecond(exp));
    Workload w = snapshot.workload(id.toString());
    if (w == null) {
      throw new DeniedException(Reason.UNKNOWN_WORKLOAD, "no workload is registered as " + id);
    }
    return w;
  }
}
