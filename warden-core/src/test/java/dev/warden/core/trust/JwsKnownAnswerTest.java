package dev.warden.core.trust;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Published JWS examples verify with the code that verifies platform tokens, and stop verifying
 * when one bit of the signing input or the signature changes: RFC 7515 appendix A.3 (ES256) and
 * RFC 8037 appendix A.4 (Ed25519).
 */
class JwsKnownAnswerTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "RFC 7515 A.3 | ES256 | {\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
          + "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}"
          + " | eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
          + " | DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q",
      "RFC 8037 A.4 | EdDSA | {\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}"
          + " | eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
          + " | hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"})
  void aPublishedExampleVerifiesAndAnyChangeBreaksIt(String source, String alg, String jwk, String signingInput,
      String signature) throws Exception {
    VerificationKey key = VerificationKey.from(JWK.parse(jwk), Set.of(alg));
    byte[] input = signingInput.getBytes(StandardCharsets.US_ASCII);
    assertThat(key.verify(alg, input, signature)).as(source).isTrue();

    byte[] flipped = input.clone();
    flipped[flipped.length - 1] ^= 1;
    assertThat(key.verify(alg, flipped, signature)).as("changed payload").isFalse();
    char last = signature.charAt(10);
    String otherSig = signature.substring(0, 10) + (last == 'A' ? 'B' : 'A') + signature.substring(11);
    assertThat(key.verify(alg, input, otherSig)).as("changed signature").isFalse();
    assertThat(key.verify(alg.equals("ES256") ? "ES384" : "ES256", input, signature)).as("another alg").isFalse();
  }
}
