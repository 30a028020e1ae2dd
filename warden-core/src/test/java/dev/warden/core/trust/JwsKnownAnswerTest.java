package dev.warden.core.trust;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import dev.warden.testkit.JwsVectors;
import dev.warden.testkit.JwsVectors.Example;
import java.math.BigInteger;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Published JWS examples verify with the code that verifies platform tokens, and stop verifying
 * when one bit of the signing input or the signature changes: RFC 7515 appendix A.3 (ES256) and RFC
 * 8037 appendix A.4 (Ed25519). Signatures that are malleated or out of range in the ways
 * Wycheproof's ECDSA and EdDSA suites test are refused (computed here from the RFC examples, see
 * docs/decisions/013-static-checks-and-test-vectors.md for why Wycheproof's files are not
 * vendored).
 */
class JwsKnownAnswerTest {
  static final List<Example> EXAMPLES = List.of(JwsVectors.RFC7515_A3, JwsVectors.RFC8037_A4);

  /** The order of P-256's base point (FIPS 186-4 D.1.2.3). */
  private static final BigInteger P256_N =
      new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

  /**
   * The order of Ed25519's base point, L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032
   * 5.1).
   */
  private static final BigInteger ED25519_L =
      BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private static VerificationKey key(Example e) throws Exception {
    return VerificationKey.from(JWK.parse(e.publicJwk()), Set.of(e.alg()));
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("EXAMPLES")
  void aPublishedExampleVerifiesAndAnyChangeBreaksIt(Example e) throws Exception {
    String alg = e.alg();
    String signature = e.signature();
    VerificationKey key = key(e);
    byte[] input = e.signingInputBytes();
    assertThat(key.verify(alg, input, signature)).as(e.source()).isTrue();

    byte[] flipped = input.clone();
    flipped[flipped.length - 1] ^= 1;
    assertThat(key.verify(alg, flipped, signature)).as("changed payload").isFalse();
    char last = signature.charAt(10);
    String otherSig =
        signature.substring(0, 10) + (last == 'A' ? 'B' : 'A') + signature.substring(11);
    assertThat(key.verify(alg, input, otherSig)).as("changed signature").isFalse();
    assertThat(key.verify(alg.equals("ES256") ? "ES384" : "ES256", input, signature))
        .as("another alg")
        .isFalse();
  }

  @Test
  void anEd25519SignatureWhoseScalarIsNotReducedIsRefused() throws Exception {
    // S + L verifies the same equation as S; RFC 8032 5.1.7 requires S < L, so this is a
    // forgery-free
    // but malleated signature that a strict verifier must refuse
    Example e = JwsVectors.RFC8037_A4;
    byte[] sig = Base64.getUrlDecoder().decode(e.signature());
    byte[] s = reversed(java.util.Arrays.copyOfRange(sig, 32, 64));
    byte[] sPlusL = fixed32(new BigInteger(1, s).add(ED25519_L));
    byte[] malleated = sig.clone();
    System.arraycopy(reversed(sPlusL), 0, malleated, 32, 32);

    assertThat(key(e).verify("EdDSA", e.signingInputBytes(), B64.encodeToString(malleated)))
        .isFalse();
  }

  @Test
  void anEs256SignatureWithAZeroOrOutOfRangeHalfIsRefused() throws Exception {
    Example e = JwsVectors.RFC7515_A3;
    byte[] sig = Base64.getUrlDecoder().decode(e.signature());
    BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 0, 32));
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
    VerificationKey key = key(e);
    assertThat(key.verify("ES256", e.signingInputBytes(), rs(r, s)))
        .as("the published signature")
        .isTrue();

    for (BigInteger[] bad :
        new BigInteger[][] {
          {BigInteger.ZERO, BigInteger.ZERO}, {BigInteger.ZERO, s}, {r, BigInteger.ZERO},
          {P256_N, s}, {r, P256_N}, {P256_N.add(BigInteger.ONE), s}
        }) {
      assertThat(key.verify("ES256", e.signingInputBytes(), rs(bad[0], bad[1])))
          .as("r=%x s=%x", bad[0], bad[1])
          .isFalse();
    }
  }

  private static String rs(BigInteger r, BigInteger s) {
    byte[] out = new byte[64];
    System.arraycopy(fixed32(r), 0, out, 0, 32);
    System.arraycopy(fixed32(s), 0, out, 32, 32);
    return B64.encodeToString(out);
  }

  private static byte[] fixed32(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int len = Math.min(b.length, 32);
    System.arraycopy(b, b.length - len, out, 32 - len, len);
    return out;
  }

  private static byte[] reversed(byte[] b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = b[b.length - 1 - i];
    }
    return out;
  }
}
