package dev.warden.testkit;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Mints one JWT, well-formed or deliberately broken. Start from an issuer ({@link
 * TestOidcIssuer#token()}, {@link TestOidcIssuer#kubernetes}, …), change what the test is about,
 * then call {@link #mint()}. Not thread-safe; one builder per token.
 *
 * <p>By default the header {@code alg} also decides how the token is signed; when the signing key
 * cannot produce that algorithm (say {@code alg: ES256} on an RSA key) the key signs with its own
 * default algorithm, which yields a token whose header lies about its signature.
 */
public final class TokenBuilder {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private enum Mode {
    SIGN,
    UNSIGNED,
    HMAC_WITH_PUBLIC_KEY
  }

  private final Map<String, Object> header = new LinkedHashMap<>();
  private final Map<String, Object> claims = new LinkedHashMap<>();
  private TestKey key;
  private Mode mode = Mode.SIGN;
  private @Nullable String rawHeader;
  private @Nullable String rawPayload;
  private boolean tamper;

  TokenBuilder(TestKey key) {
    this.key = key;
    header.put("alg", key.defaultAlgorithm());
    header.put("kid", key.kid());
  }

  /** Sets a header parameter; {@code null} removes it. */
  public TokenBuilder header(String name, Object value) {
    if (value == null) {
      header.remove(name);
    } else {
      header.put(name, value);
    }
    return this;
  }

  /** Sets the header {@code alg} (see the class note on how it affects signing). */
  public TokenBuilder alg(String alg) {
    return header("alg", alg);
  }

  /** Sets the header {@code kid}; {@code null} removes it. */
  public TokenBuilder kid(String kid) {
    return header("kid", kid);
  }

  /** Sets the header {@code typ}; {@code null} removes it. */
  public TokenBuilder typ(String typ) {
    return header("typ", typ);
  }

  /** Sets a {@code jku} header (a JWKS URL a careless verifier would fetch). */
  public TokenBuilder jku(String url) {
    return header("jku", url);
  }

  /** Sets an {@code x5u} header (a certificate URL a careless verifier would fetch). */
  public TokenBuilder x5u(String url) {
    return header("x5u", url);
  }

  /**
   * Sets a claim; values may be strings, numbers, booleans, lists and maps. {@code null} writes
   * JSON null.
   */
  public TokenBuilder claim(String name, Object value) {
    claims.put(name, value);
    return this;
  }

  /** Removes claims. */
  public TokenBuilder without(String... names) {
    for (String n : names) {
      claims.remove(n);
    }
    return this;
  }

  public TokenBuilder issuer(String iss) {
    return claim("iss", iss);
  }

  public TokenBuilder subject(String sub) {
    return claim("sub", sub);
  }

  /** One audience is written as a string, several as an array. */
  public TokenBuilder audience(String... aud) {
    return claim("aud", aud.length == 1 ? aud[0] : List.of(aud));
  }

  public TokenBuilder issuedAt(Instant t) {
    return claim("iat", t.getEpochSecond());
  }

  public TokenBuilder notBefore(Instant t) {
    return claim("nbf", t.getEpochSecond());
  }

  public TokenBuilder expiresAt(Instant t) {
    return claim("exp", t.getEpochSecond());
  }

  /**
   * Signs with another key (for instance one of another issuer) and puts that key's {@code kid} in
   * the header; the header {@code alg} becomes the key's default unless the key can sign the
   * current one.
   */
  public TokenBuilder signWith(TestKey other) {
    this.key = other;
    this.mode = Mode.SIGN;
    if (!(header.get("alg") instanceof String a && other.canSign(a))) {
      alg(other.defaultAlgorithm());
    }
    return kid(other.kid());
  }

  /** {@code alg: none} and an empty signature. */
  public TokenBuilder unsigned() {
    this.mode = Mode.UNSIGNED;
    return alg("none");
  }

  /**
   * {@code alg: HS256}, with the signing key's public key bytes ({@link TestKey#publicKeyBytes()})
   * as the HMAC secret: the classic key-confusion attack on verifiers that let the token pick the
   * algorithm.
   */
  public TokenBuilder hmacWithPublicKey() {
    this.mode = Mode.HMAC_WITH_PUBLIC_KEY;
    return alg("HS256");
  }

  /** Replaces the whole header with this text (need not be JSON). */
  public TokenBuilder rawHeader(String text) {
    this.rawHeader = text;
    return this;
  }

  /** Replaces the whole payload with this text (need not be JSON). */
  public TokenBuilder rawPayload(String text) {
    this.rawPayload = text;
    return this;
  }

  /** Flips one bit of the signature after signing. */
  public TokenBuilder tamperSignature() {
    this.tamper = true;
    return this;
  }

  /** A copy of the claims as they stand. */
  public Map<String, Object> claims() {
    return new LinkedHashMap<>(claims);
  }

  /** The compact serialization {@code header.payload.signature}. */
  public String mint() {
    String h = rawHeader != null ? rawHeader : JSONObjectUtils.toJSONString(header);
    String p = rawPayload != null ? rawPayload : JSONObjectUtils.toJSONString(claims);
    String signingInput =
        B64.encodeToString(h.getBytes(StandardCharsets.UTF_8))
            + "."
            + B64.encodeToString(p.getBytes(StandardCharsets.UTF_8));
    byte[] input = signingInput.getBytes(StandardCharsets.US_ASCII);
    byte[] sig =
        switch (mode) {
          case UNSIGNED -> new byte[0];
          case HMAC_WITH_PUBLIC_KEY -> hmacSha256(key.publicKeyBytes(), input);
          case SIGN -> {
            Object alg = header.get("alg");
            String a = alg instanceof String s && key.canSign(s) ? s : key.defaultAlgorithm();
            yield key.sign(a, input);
          }
        };
    if (tamper && sig.length > 0) {
      sig[sig.length / 2] ^= 0x01;
    }
    return signingInput + "." + B64.encodeToString(sig);
  }

  private static byte[] hmacSha256(byte[] secret, byte[] input) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
