package dev.warden.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.testkit.JwsVectors;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * RFC 7515 appendix A and RFC 8037 appendix A.4, read from their compact serializations by the one
 * JWS path every caller uses (decision 021): {@link UnverifiedJws} parses them into what the RFC
 * prints, {@link JwsKey} verifies the published signatures (RS256, ES256, ES512, EdDSA) and stops
 * verifying when one bit changes, and the HS256 example of A.1 is refused however it is presented.
 */
class JwsKeyKnownAnswerTest {
  /** One published signed example: its public key as a JWK and its compact serialization. */
  record Published(String source, String alg, String publicJwk, String compact) {
    @Override
    public String toString() {
      return source;
    }
  }

  static final List<Published> SIGNED =
      List.of(
          new Published(
              JwsVectors.RFC7515_A2.source(),
              JwsVectors.RFC7515_A2.alg(),
              JwsVectors.RFC7515_A2.publicJwk(),
              JwsVectors.RFC7515_A2.compact()),
          of(JwsVectors.RFC7515_A3),
          of(JwsVectors.RFC7515_A4),
          of(JwsVectors.RFC8037_A4));

  /** The claims RFC 7515 A.1 to A.3 sign, as strict JSON reads them. */
  static final Map<String, Object> RFC7515_CLAIMS =
      Map.of("iss", "joe", "exp", 1300819380L, "http://example.com/is_root", true);

  static final List<String> RFC7515_JWTS =
      List.of(
          JwsVectors.RFC7515_A1_JWS,
          JwsVectors.RFC7515_A2.compact(),
          JwsVectors.RFC7515_A3.compact());

  private static Published of(JwsVectors.Example e) {
    return new Published(e.source(), e.alg(), e.publicJwk(), e.compact());
  }

  private static final Base64.Decoder B64 = Base64.getUrlDecoder();
  private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();

  @ParameterizedTest
  @FieldSource("RFC7515_JWTS")
  void theRfc7515JwtsParseIntoTheClaimsAndSigningInputTheRfcPrints(String compact) {
    UnverifiedJws jws = UnverifiedJws.parse(compact);

    assertThat(jws.claims()).isEqualTo(RFC7515_CLAIMS);
    assertThat(new String(jws.signingInput(), StandardCharsets.US_ASCII))
        .isEqualTo(compact.substring(0, compact.lastIndexOf('.')));
    assertThat(jws.signature()).isEqualTo(compact.substring(compact.lastIndexOf('.') + 1));
  }

  @Test
  void theHeadersParseAsPrintedCrlfIncluded() {
    assertThat(UnverifiedJws.parse(JwsVectors.RFC7515_A1_JWS).header())
        .isEqualTo(Map.of("typ", "JWT", "alg", "HS256"));
    assertThat(UnverifiedJws.parse(JwsVectors.RFC7515_A2.compact()).header())
        .isEqualTo(Map.of("alg", "RS256"));
    // every JWS Warden reads is a JWT: a payload that is not a JSON object (A.4's "Payload") is
    // refused by the parser, before any key is looked at
    assertThatThrownBy(() -> UnverifiedJws.parse(JwsVectors.RFC7515_A4.compact()))
        .isInstanceOfSatisfying(
            dev.warden.core.error.DeniedException.class,
            e -> assertThat(e.reason()).isEqualTo(dev.warden.core.error.Reason.MALFORMED_TOKEN));
  }

  @ParameterizedTest
  @FieldSource("SIGNED")
  void aPublishedSignatureVerifiesThroughJwsKeyAndAnyChangeBreaksIt(Published p) {
    JwsKey key = JwsKey.parse(p.publicJwk(), Set.of(p.alg()));
    int dot = p.compact().lastIndexOf('.');
    byte[] input = p.compact().substring(0, dot).getBytes(StandardCharsets.US_ASCII);
    String signature = p.compact().substring(dot + 1);

    assertThat(key.algorithms()).containsExactly(p.alg());
    assertThat(key.verifies(p.alg(), input, signature)).as(p.source()).isTrue();
    if (p.source().startsWith("RFC 7515 A.2") || p.source().startsWith("RFC 7515 A.3")) {
      assertThat(key.verifies(p.alg(), UnverifiedJws.parse(p.compact())))
          .as("the JWT as parsed")
          .isTrue();
    }

    byte[] changedInput = input.clone();
    changedInput[changedInput.length - 1] ^= 1;
    assertThat(key.verifies(p.alg(), changedInput, signature)).as("changed input").isFalse();
    byte[] sig = B64.decode(signature);
    for (int i : new int[] {0, sig.length / 2 - 1, sig.length / 2, sig.length - 1}) {
      byte[] changed = sig.clone();
      changed[i] ^= 0x01;
      assertThat(key.verifies(p.alg(), input, ENC.encodeToString(changed)))
          .as("bit 0 of signature byte " + i + " changed")
          .isFalse();
    }
    assertThat(
            key.verifies(
                p.alg(), input, ENC.encodeToString(java.util.Arrays.copyOf(sig, sig.length - 1))))
        .as("truncated")
        .isFalse();
    assertThat(key.verifies("none", input, signature)).as("alg none").isFalse();
    assertThat(key.verifies("HS256", input, signature)).as("HS256").isFalse();
  }

  @Test
  void anEs512SignatureIsTwo66ByteHalvesAndNoOtherLengthVerifies() {
    JwsVectors.Example e = JwsVectors.RFC7515_A4;
    JwsKey key = JwsKey.parse(e.publicJwk(), Set.of("ES512"));
    byte[] sig = B64.decode(e.signature());
    assertThat(sig).hasSize(132);

    // the halves with their leading zero bytes dropped (what a DER-to-raw bug produces)
    byte[] r = java.util.Arrays.copyOfRange(sig, 1, 66);
    byte[] s = java.util.Arrays.copyOfRange(sig, 67, 132);
    byte[] short130 = new byte[130];
    System.arraycopy(r, 0, short130, 0, 65);
    System.arraycopy(s, 0, short130, 65, 65);
    assertThat(sig[0] == 0 || sig[66] == 0)
        .as("the RFC's r starts with 0x01 and s with 0x00")
        .isTrue();
    assertThat(key.verifies("ES512", e.signingInputBytes(), ENC.encodeToString(short130)))
        .isFalse();
    assertThat(key.verifies("ES256", e.signingInputBytes(), e.signature()))
        .as("a P-521 key under ES256")
        .isFalse();
  }

  @Test
  void theHs256ExampleOfRfc7515A1IsRefusedHoweverItIsPresented() throws Exception {
    byte[] k = B64.decode(JwsVectors.RFC7515_A1_KEY);
    String compact = JwsVectors.RFC7515_A1_JWS;
    String input = compact.substring(0, compact.lastIndexOf('.'));
    // the vector is typed right: the JDK's HMAC reproduces the RFC's MAC
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(k, "HmacSHA256"));
    assertThat(ENC.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo(compact.substring(compact.lastIndexOf('.') + 1));

    // the RFC's key as a JWK: symmetric keys are never verification keys
    assertThatThrownBy(
            () ->
                JwsKey.parse(
                    "{\"kty\":\"oct\",\"k\":\"" + JwsVectors.RFC7515_A1_KEY + "\"}",
                    Set.of("HS256")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching(".*(symmetric|private).*");
    // an RSA public key cannot be made an HMAC key (the classic key-confusion forgery)
    assertThatThrownBy(() -> JwsKey.parse(JwsVectors.RFC7515_A2.publicJwk(), Set.of("HS256")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fits none");
    JwsKey rsa = JwsKey.parse(JwsVectors.RFC7515_A2.publicJwk(), Set.of("RS256"));
    assertThat(rsa.verifies("HS256", UnverifiedJws.parse(compact))).isFalse();
  }
}
