package dev.warden.core.token;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.model.Lease;
import dev.warden.core.trust.UnverifiedJws;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Verifies tokens Warden itself signed with its access-token keys: the signature under a published
 * (not destroyed) key whose algorithm the header names, this server as {@code iss}, a future {@code
 * exp}, and a lease that exists and is not revoked. Used by introspection (RFC 7662) and by token
 * exchange, where a Warden token is the subject token of a delegation or the transaction token of a
 * request.
 *
 * <p>The token is parsed as strictly as a platform token ({@link UnverifiedJws}: strict UTF-8 and
 * JSON in header and payload, decision 301), not by Nimbus's lenient parser.
 */
public final class WardenTokens {
  private final KeyManager keys;
  private final LeaseStore leases;
  private final Clock clock;
  private final String issuer;
  private final KeyVerifiers verifiers = new KeyVerifiers();

  /**
   * Tokens whose signature verified, by the SHA-256 of their exact text, so a token exchanged again
   * (an agent acting for the same subject toward several resources) skips parsing and the signature
   * check. Safe for the reasons {@code trust.VerifiedTokenCache} gives: only verified bytes are
   * stored, and on a hit the key must still be published and expiry and lease are checked again.
   * Two generations bound it.
   */
  private static final int CACHE_GENERATION = 5_000;

  private volatile java.util.concurrent.ConcurrentHashMap<Digest, Signed> current =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile java.util.concurrent.ConcurrentHashMap<Digest, Signed> previous =
      new java.util.concurrent.ConcurrentHashMap<>();

  private record Digest(long a, long b, long c, long d) {
    static Digest of(String token) {
      java.nio.ByteBuffer h =
          java.nio.ByteBuffer.wrap(
              dev.warden.core.crypto.Hashes.sha256(
                  token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return new Digest(h.getLong(), h.getLong(), h.getLong(), h.getLong());
    }
  }

  /**
   * What a verified signature established: the claims and the header's typ, by the key {@code kid}.
   */
  private record Signed(Map<String, Object> claims, @Nullable Object typ, String kid) {}

  /**
   * @param keys the access-token keys: a JWT-SVID or federation token is never accepted here
   * @throws IllegalArgumentException when {@code keys} are not access-token keys
   */
  public WardenTokens(KeyManager keys, LeaseStore leases, Clock clock, String issuer) {
    if (keys.purpose() != KeyPurpose.ACCESS_TOKEN) {
      throw new IllegalArgumentException(
          "Warden tokens are verified with access-token keys, not " + keys.purpose());
    }
    this.keys = keys;
    this.leases = leases;
    this.clock = clock;
    this.issuer = issuer;
  }

  /**
   * This server's issuer: a token whose {@code iss} is this is verified here, never by a trust
   * provider.
   */
  public String issuer() {
    return issuer;
  }

  /**
   * True if the unverified {@code iss} of a compact JWS is this server; false for anything
   * unreadable.
   */
  public boolean claimsToBeOurs(String token) {
    if (token.length() <= 16_384 && cached(Digest.of(token)) != null) {
      return true;
    }
    try {
      return issuer.equals(UnverifiedJws.parse(token).claims().get("iss"));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Verifies a Warden token.
   *
   * @param typ the header {@code typ} the token must carry, or null to accept the access-token
   *     types ({@code at+jwt}, {@code JWT})
   * @throws DeniedException {@code malformed_token}, {@code token_too_large}, {@code unknown_kid},
   *     {@code alg_not_allowed}, {@code bad_signature}, {@code wrong_issuer}, {@code
   *     token_expired}, {@code token_revoked} — the first rule the token breaks
   */
  public VerifiedWardenToken verify(String token, @Nullable String typ) {
    return verify(token, typ, clock.instant());
  }

  /**
   * Verifies a Warden token as it stood at {@code at}: its expiry is checked against that instant
   * rather than now (a request the agent reports seconds after it was made); its key and lease are
   * checked as they are now.
   *
   * @throws DeniedException as {@link #verify(String, String)}
   */
  public VerifiedWardenToken verify(String token, @Nullable String typ, java.time.Instant at) {
    Digest digest = token.length() <= 16_384 ? Digest.of(token) : null;
    Signed hit = digest == null ? null : cached(digest);
    Map<String, Object> c;
    if (hit != null && published(keys.keyset(), hit.kid())) {
      checkTyp(hit.typ(), typ);
      c = hit.claims();
    } else {
      Signed signed = verifySignature(token, typ);
      if (digest != null) {
        remember(digest, signed);
      }
      c = signed.claims();
    }
    return checkClaims(c, at);
  }

  private static void checkTyp(@Nullable Object t, @Nullable String typ) {
    if (typ != null ? !typ.equals(t) : !(t == null || AccessTokenMinter.TYPES.contains(t))) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN,
          "the token's typ is "
              + t
              + ", expected "
              + (typ != null ? typ : String.join(" or ", AccessTokenMinter.TYPES)));
    }
  }

  private static boolean published(SigningKeyset keyset, String kid) {
    for (SigningKeyRecord r : keyset.records()) {
      if (r.kid().equals(kid) && r.state() != KeyState.DESTROYED) {
        return true;
      }
    }
    return false;
  }

  private @Nullable Signed cached(Digest d) {
    Signed s = current.get(d);
    if (s == null) {
      s = previous.get(d);
      if (s != null) {
        remember(d, s);
      }
    }
    return s;
  }

  private void remember(Digest d, Signed s) {
    java.util.concurrent.ConcurrentHashMap<Digest, Signed> cur = current;
    if (cur.size() >= CACHE_GENERATION) {
      synchronized (this) {
        if (current == cur) {
          previous = cur;
          current = new java.util.concurrent.ConcurrentHashMap<>();
        }
      }
    }
    current.put(d, s);
  }

  private Signed verifySignature(String token, @Nullable String typ) {
    UnverifiedJws jwt = UnverifiedJws.parse(token);
    Map<String, Object> header = jwt.header();
    if (!(header.get("alg") instanceof String alg) || !(header.get("kid") instanceof String kid)) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN, "a Warden token has alg and kid in its header");
    }
    // Warden writes alg, typ and kid only: anything critical is not ours
    if (header.containsKey("crit")) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN, "Warden never writes crit; this token is not Warden's");
    }
    Object t = header.get("typ");
    checkTyp(t, typ);
    SigningKeyset keyset = keys.keyset();
    SigningKeyRecord key = null;
    for (SigningKeyRecord r : keyset.records()) {
      if (r.kid().equals(kid) && r.state() != KeyState.DESTROYED) {
        key = r;
      }
    }
    if (key == null) {
      throw new DeniedException(
          Reason.UNKNOWN_KID, "no published Warden access-token key has this kid");
    }
    if (!alg.equals(key.algorithm())) {
      throw new DeniedException(
          Reason.ALG_NOT_ALLOWED,
          "the key named by kid signs with " + key.algorithm() + ", not " + alg);
    }
    boolean valid;
    try {
      valid = verifiers.of(keyset, key).verifies(alg, jwt);
    } catch (IllegalArgumentException e) {
      throw new DeniedException(Reason.BAD_SIGNATURE, "the token's signature cannot be verified");
    }
    if (!valid) {
      throw new DeniedException(
          Reason.BAD_SIGNATURE, "the token's signature does not verify under Warden's key");
    }
    return new Signed(jwt.claims(), t, kid);
  }

  private VerifiedWardenToken checkClaims(Map<String, Object> c, java.time.Instant at) {
    if (!issuer.equals(c.get("iss"))) {
      throw new DeniedException(Reason.WRONG_ISSUER, "the token was not issued by this server");
    }
    if (!(c.get("exp") instanceof Long exp)) {
      throw new DeniedException(Reason.MISSING_CLAIM, "the token has no numeric exp");
    }
    if (at.getEpochSecond() >= exp) {
      throw new DeniedException(Reason.TOKEN_EXPIRED, "the token expired");
    }
    if (!(c.get("jti") instanceof String jti) || !(c.get("sub") instanceof String sub)) {
      throw new DeniedException(Reason.MISSING_CLAIM, "the token has no jti or sub");
    }
    Optional<Lease> lease = leases.get(jti);
    if (lease.isEmpty() || lease.get().revokedAt() != null) {
      throw new DeniedException(
          Reason.TOKEN_REVOKED, "the token was revoked (or was never issued here)");
    }
    return new VerifiedWardenToken(
        c, sub, audiences(c.get("aud")), jti, java.time.Instant.ofEpochSecond(exp), lease.get());
  }

  private static List<String> audiences(@Nullable Object aud) {
    if (aud instanceof String s) {
      return List.of(s);
    }
    if (aud instanceof List<?> l) {
      return l.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return List.of();
  }
}
