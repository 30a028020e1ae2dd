package dev.warden.core.dpop;

import dev.warden.core.crypto.Hashes;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.UnavailableException;
import dev.warden.core.trust.EmbeddedKey;
import dev.warden.core.trust.UnverifiedJws;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Verifies DPoP proofs (RFC 9449 section 4.3) at Warden's token endpoint and wherever Warden checks
 * its own tokens for resource access. A proof is outside input: it is parsed by the strict JOSE
 * rules of platform tokens ({@link UnverifiedJws}, decision 301), its key by those of a JWKS key
 * ({@link EmbeddedKey}), and it must be:
 *
 * <ul>
 *   <li>the one {@code DPoP} header of the request;
 *   <li>{@code typ: dpop+jwt}, an asymmetric {@code alg} of {@link #ALGORITHMS}, a public {@code
 *       jwk} and no {@code crit};
 *   <li>signed by that key;
 *   <li>{@code jti}, {@code htm} (the request's method), {@code htu} (its URI without query and
 *       fragment), {@code iat} no older than the window and not in the future beyond a small skew;
 *       with an access token, {@code ath} its base64url SHA-256;
 *   <li>not seen before on this node within the window ({@link ReplayCache}).
 * </ul>
 *
 * <p>Server nonces ({@code use_dpop_nonce}) are not issued: the window and the replay cache bound
 * how long a proof is usable (decision 651). Thread-safe.
 */
public final class DpopVerifier {
  /** Asymmetric algorithms a proof may use: those Warden verifies for platform tokens. */
  public static final List<String> ALGORITHMS =
      List.of(
          "ES256", "ES384", "ES512", "EdDSA", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512");

  /** How old a proof may be by its {@code iat}. */
  public static final Duration MAX_AGE = Duration.ofSeconds(60);

  /** How far ahead of this server's clock a proof's {@code iat} may be. */
  public static final Duration MAX_SKEW = Duration.ofSeconds(10);

  /** The header {@code typ} of a proof. */
  public static final String TYPE = "dpop+jwt";

  /** A proof is small: a header with one public key and five claims. */
  static final int MAX_PROOF_LENGTH = 8 * 1024;

  static final int MAX_JTI_LENGTH = 256;

  private static final Set<String> ALLOWED = Set.copyOf(ALGORITHMS);

  private final Clock clock;
  private final ReplayCache replays;

  /** How a token was presented in the {@code Authorization} header. */
  public enum Scheme {
    BEARER,
    DPOP
  }

  /** A verifier remembering up to 100,000 proofs within the window. */
  public DpopVerifier(Clock clock) {
    this(clock, 100_000);
  }

  /**
   * @param replayCapacity how many proofs within the window this node remembers; past it, new
   *     proofs are refused as unavailable until old ones age out
   */
  public DpopVerifier(Clock clock, int replayCapacity) {
    this.clock = clock;
    this.replays = new ReplayCache(replayCapacity);
  }

  /**
   * Verifies the {@code DPoP} header(s) of one request.
   *
   * @param proofs every value of the request's {@code DPoP} header; exactly one is accepted
   * @param method the request's HTTP method
   * @param uri the request's URI as the client addressed it (query and fragment are ignored)
   * @param accessToken the access token presented with the proof (its {@code ath} is checked), or
   *     null at the token endpoint
   * @throws DeniedException {@code invalid_dpop_proof}, saying which rule the proof broke
   * @throws UnavailableException {@code invalid_dpop_proof} when the replay cache is full
   * @throws IllegalArgumentException when {@code uri} is not an absolute http(s) URI (a wiring
   *     error: it is the server's own URI, never the client's)
   */
  public DpopProof verify(
      List<String> proofs, String method, String uri, @Nullable String accessToken) {
    if (proofs.size() != 1) {
      throw invalid(
          proofs.isEmpty()
              ? "no DPoP header was sent"
              : "send exactly one DPoP header (RFC 9449 section 4.3), not " + proofs.size());
    }
    String proof = proofs.getFirst();
    if (proof.length() > MAX_PROOF_LENGTH) {
      throw invalid("the DPoP proof is longer than " + MAX_PROOF_LENGTH + " characters");
    }
    UnverifiedJws jws;
    try {
      jws = UnverifiedJws.parse(proof);
    } catch (DeniedException e) {
      throw invalid("the DPoP proof is not a compact JWS: " + e.getMessage());
    }
    Map<String, Object> h = jws.header();
    if (!TYPE.equals(h.get("typ"))) {
      throw invalid("the DPoP proof's header typ must be " + TYPE);
    }
    if (!(h.get("alg") instanceof String alg) || !ALLOWED.contains(alg)) {
      throw invalid("the DPoP proof's alg must be an asymmetric algorithm, one of " + ALGORITHMS);
    }
    if (h.containsKey("crit")) {
      throw invalid("the DPoP proof has crit header parameters; Warden understands none");
    }
    EmbeddedKey key;
    try {
      key = EmbeddedKey.parse(h.get("jwk"), Set.of(alg));
    } catch (IllegalArgumentException e) {
      throw invalid(
          h.containsKey("jwk")
              ? "the DPoP proof's " + e.getMessage()
              : "the DPoP proof's header has no jwk (the public key it is signed with)");
    }
    if (!key.verify(alg, jws.signingInput(), jws.signature())) {
      throw invalid("the DPoP proof's signature does not verify under the jwk it carries");
    }
    Map<String, Object> c = jws.claims();
    if (!(c.get("jti") instanceof String jti) || jti.isEmpty() || jti.length() > MAX_JTI_LENGTH) {
      throw invalid("the DPoP proof has no jti (a unique string of at most 256 characters)");
    }
    if (!(c.get("htm") instanceof String htm) || !htm.equals(method)) {
      throw invalid("the DPoP proof's htm must be the request's method, " + method);
    }
    String expected = HttpUris.normalize(uri);
    if (expected == null) {
      throw new IllegalArgumentException("the request URI is not an absolute http(s) URI");
    }
    String htu = c.get("htu") instanceof String s ? HttpUris.normalize(s) : null;
    if (!expected.equals(htu)) {
      throw invalid(
          "the DPoP proof's htu must be the URI of this request without query and fragment, "
              + expected);
    }
    if (!(c.get("iat") instanceof Long iat)) {
      throw invalid("the DPoP proof has no numeric iat");
    }
    long now = clock.instant().getEpochSecond();
    if (iat < now - MAX_AGE.toSeconds()) {
      throw invalid(
          "the DPoP proof is too old (iat more than "
              + MAX_AGE.toSeconds()
              + " s ago); make a new proof for each request");
    }
    if (iat > now + MAX_SKEW.toSeconds()) {
      throw invalid("the DPoP proof's iat is in the future; check the client's clock");
    }
    if (accessToken != null) {
      byte[] ath = c.get("ath") instanceof String a ? a.getBytes(StandardCharsets.US_ASCII) : null;
      byte[] want =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encode(Hashes.sha256(accessToken.getBytes(StandardCharsets.US_ASCII)));
      if (ath == null || !Hashes.constantTimeEquals(ath, want)) {
        throw invalid(
            "the DPoP proof's ath must be the base64url SHA-256 of the access token it is sent with");
      }
    }
    switch (replays.remember(
        key.thumbprint(), htm, expected, jti, iat + MAX_AGE.toSeconds(), now)) {
      case REPLAYED -> throw invalid("this DPoP proof was used before; make a new one (new jti)");
      case FULL ->
          throw new UnavailableException(
              Reason.INVALID_DPOP_PROOF,
              "this server is holding as many recent DPoP proofs as it can; retry in a minute",
              null);
      case FIRST -> {
        // accepted
      }
    }
    return new DpopProof(key.thumbprint(), jti, Instant.ofEpochSecond(iat));
  }

  /**
   * Checks how a Warden token was presented to a resource: a token bound to a DPoP key ({@code
   * boundThumbprint}) only under the DPoP scheme with a proof of that key (RFC 9449 section 7.1);
   * an unbound token only as Bearer.
   *
   * @param boundThumbprint the token's {@code cnf.jkt}, or null when it has none
   * @return the verified proof, or null for a bearer token
   * @throws DeniedException {@code dpop_binding_mismatch} (the token presented under the wrong
   *     scheme) or {@code invalid_dpop_proof}
   * @throws UnavailableException when the replay cache is full
   */
  public @Nullable DpopProof checkPresentation(
      @Nullable String boundThumbprint,
      Scheme scheme,
      List<String> proofs,
      String method,
      String uri,
      String token) {
    if (boundThumbprint == null) {
      if (scheme == Scheme.DPOP) {
        throw new DeniedException(
            Reason.DPOP_BINDING_MISMATCH,
            "this token is not bound to a DPoP key; send it as Authorization: Bearer");
      }
      return null;
    }
    if (scheme != Scheme.DPOP) {
      throw new DeniedException(
          Reason.DPOP_BINDING_MISMATCH,
          "this token is bound to a DPoP key (cnf jkt, RFC 9449); send it as Authorization: DPoP"
              + " <token> with a DPoP proof signed by that key");
    }
    DpopProof p = verify(proofs, method, uri, token);
    if (!Hashes.constantTimeEquals(
        p.thumbprint().getBytes(StandardCharsets.US_ASCII),
        boundThumbprint.getBytes(StandardCharsets.US_ASCII))) {
      throw invalid(
          "the DPoP proof is signed by a key other than the one this token is bound to (cnf jkt)");
    }
    return p;
  }

  private static DeniedException invalid(String message) {
    return new DeniedException(Reason.INVALID_DPOP_PROOF, message);
  }
}
