package dev.warden.core.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import dev.warden.core.keys.SigningKeyRecord;
import java.text.ParseException;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Signature verifiers for the keys of one {@link KeyManager}'s current keyset, built once per key:
 * parsing a JWK and validating its point costs more than the signature check itself. A new keyset
 * (rotation) starts a new table. Thread-safe.
 */
public final class KeyVerifiers {
  private record Table(
      @Nullable SigningKeyset keyset, ConcurrentHashMap<String, JWSVerifier> byKid) {}

  private volatile Table table = new Table(null, new ConcurrentHashMap<>());

  /**
   * @throws ParseException when the stored public JWK does not parse
   * @throws JOSEException when no verifier can be built for it
   */
  public JWSVerifier of(SigningKeyset keyset, SigningKeyRecord key)
      throws ParseException, JOSEException {
    Table t = table;
    if (t.keyset() != keyset) {
      t = new Table(keyset, new ConcurrentHashMap<>());
      table = t;
    }
    JWSVerifier v = t.byKid().get(key.kid());
    if (v == null) {
      JWK jwk = JWK.parse(key.publicJwk());
      v =
          jwk instanceof ECKey ec
              ? new ECDSAVerifier(ec)
              : jwk instanceof RSAKey rsa
                  ? new RSASSAVerifier(rsa)
                  : new Ed25519Verifier((OctetKeyPair) jwk);
      t.byKid().put(key.kid(), v);
    }
    return v;
  }
}
