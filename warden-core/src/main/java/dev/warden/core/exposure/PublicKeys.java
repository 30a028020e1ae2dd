package dev.warden.core.exposure;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import java.text.ParseException;
import org.jspecify.annotations.Nullable;

/**
 * The SHA-256 of a stored public JWK's DER SubjectPublicKeyInfo: what a scanner computes from a
 * private key.
 */
final class PublicKeys {
  /**
   * The fixed DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410), followed by the 32-byte
   * key.
   */
  private static final byte[] ED25519_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private PublicKeys() {}

  /**
   * @return the hash, or null when the JWK cannot be read as a public key
   */
  static @Nullable String sha256OfJwk(String json) {
    try {
      JWK jwk = JWK.parse(json);
      byte[] der;
      if (jwk instanceof OctetKeyPair okp) {
        if (!"Ed25519".equals(okp.getCurve().getName())) {
          return null;
        }
        byte[] x = okp.getDecodedX();
        der = new byte[ED25519_PREFIX.length + x.length];
        System.arraycopy(ED25519_PREFIX, 0, der, 0, ED25519_PREFIX.length);
        System.arraycopy(x, 0, der, ED25519_PREFIX.length, x.length);
      } else if (jwk instanceof AsymmetricJWK a) {
        der = a.toPublicKey().getEncoded();
      } else {
        return null;
      }
      return ExposureCheck.sha256(der);
    } catch (ParseException | JOSEException e) {
      return null;
    }
  }
}
