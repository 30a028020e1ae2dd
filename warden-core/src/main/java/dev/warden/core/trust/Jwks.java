package dev.warden.core.trust;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a JWK Set document into a {@link VerificationKeys} under the provider's rules. Keys that do
 * not fit (another {@code kty} or curve than the allowed algorithms need, {@code oct}, {@code use:
 * enc}, RSA under 2048 bits, …) are skipped; a document carrying any private key material is
 * refused whole, since an issuer that publishes private keys cannot be trusted with the others
 * either.
 */
final class Jwks {
  /** More keys than this in one JWKS is not a real issuer; refuse rather than build them all. */
  static final int MAX_KEYS = 100;

  private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth");

  private Jwks() {}

  /** Why a JWKS (or discovery document) was refused. The message names no secret. */
  static final class JwksException extends Exception {
    private static final long serialVersionUID = 1L;

    JwksException(String message) {
      super(message);
    }

    JwksException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Parses {@code json}; reuses the key objects of {@code previous} (may be null) that did not
   * change, so their identity — which the verified-token cache relies on — survives a refresh.
   *
   * @throws JwksException when the document is not a JWKS, holds private material, has too many
   *     keys, or has no usable key
   */
  static VerificationKeys parse(
      String json, Set<String> allowed, Instant now, VerificationKeys previous)
      throws JwksException {
    Map<String, Object> doc;
    List<Object> list;
    try {
      doc = JSONObjectUtils.parse(json);
      list = JSONObjectUtils.getJSONArray(doc, "keys");
    } catch (java.text.ParseException | RuntimeException e) {
      throw new JwksException("the JWKS is not a JSON object with a \"keys\" array");
    }
    if (list == null) {
      throw new JwksException("the JWKS has no \"keys\" array");
    }
    if (list.size() > MAX_KEYS) {
      throw new JwksException(
          "the JWKS has " + list.size() + " keys; at most " + MAX_KEYS + " are accepted");
    }
    List<VerificationKey> keys = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> raw)) {
        skipped.add("#" + i + ": not an object");
        continue;
      }
      String label =
          "#" + i + (raw.get("kid") instanceof String kid ? " (kid " + Msg.q(kid) + ")" : "");
      for (String m : PRIVATE_MEMBERS) {
        if (raw.containsKey(m)) {
          throw new JwksException(
              "the JWKS contains private key material (key " + label + "); refusing the whole set");
        }
      }
      if ("oct".equals(raw.get("kty"))) {
        skipped.add(label + ": symmetric (oct) key");
        continue;
      }
      try {
        @SuppressWarnings("unchecked")
        JWK jwk = JWK.parse((Map<String, Object>) raw);
        VerificationKey k = VerificationKey.from(jwk, allowed);
        keys.add(reuse(k, previous));
      } catch (VerificationKey.UnusableKeyException e) {
        skipped.add(label + ": " + e.getMessage());
      } catch (java.text.ParseException | RuntimeException e) {
        skipped.add(label + ": not a valid JWK");
      }
    }
    if (keys.isEmpty()) {
      throw new JwksException(
          "the JWKS has no key usable with "
              + allowed
              + (skipped.isEmpty() ? "" : "; skipped " + skipped));
    }
    return new VerificationKeys(keys, now);
  }

  private static VerificationKey reuse(VerificationKey k, VerificationKeys previous) {
    if (previous != null) {
      for (VerificationKey old : previous.keys) {
        if (old.sameAs(k)) {
          return old;
        }
      }
    }
    return k;
  }
}
