package dev.warden.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.token.AccessTokenMinter;
import dev.warden.core.token.KeyMaterial;
import dev.warden.core.token.SigningAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checkpoints verify only as what Warden signed: ES256, their own typ, a key of the given JWKS,
 * strict claims.
 */
class CheckpointJwsTest {
  static final KeyMaterial KEY = KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom());
  static final KeyMaterial OTHER = KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom());
  static final KeyMaterial ED = KeyMaterial.generate(SigningAlgorithm.EdDSA, new SecureRandom());
  static final JWKSet JWKS =
      CheckpointJws.keys("jwks", "{\"keys\":[" + KEY.publicJwk() + "," + ED.publicJwk() + "]}");
  static final String HASH = "ab".repeat(32);
  static final String GOOD_HEADER = header("ES256", CheckpointJws.TYP, KEY.kid());
  static final String GOOD_PAYLOAD =
      "{\"iss\":\"https://warden.example\",\"chain\":\"c1\",\"seq\":1050,\"hash\":\""
          + HASH
          + "\",\"iat\":1800000000}";

  static String header(String alg, String typ, String kid) {
    return "{\"alg\":\""
        + alg
        + "\""
        + (typ == null ? "" : ",\"typ\":\"" + typ + "\"")
        + (kid == null ? "" : ",\"kid\":\"" + kid + "\"")
        + "}";
  }

  static String signed(KeyMaterial key, String header, String payload) {
    return AccessTokenMinter.signCompact(key, header, payload);
  }

  static String b64(String s) {
    return java.util.Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aSignedCheckpointVerifiesWithItsKeyAndReadsBackWhatWasSigned() {
    byte[] hash = new byte[32];
    hash[0] = 7;
    Checkpoint c =
        new Checkpoint(
            "https://warden.example", "c1", 1050, hash, Instant.parse("2026-12-07T08:00:00.987Z"));

    SignedCheckpoint s = CheckpointJws.sign(KEY, c);
    VerifiedCheckpoint v = CheckpointJws.verify(s.jws(), JWKS);

    assertThat(v.checkpoint()).isEqualTo(c);
    assertThat(v.checkpoint().time()).isEqualTo(Instant.parse("2026-12-07T08:00:00Z"));
    assertThat(v.kid()).isEqualTo(KEY.kid()).isEqualTo(s.kid());
    assertThat(CheckpointJws.verify("  " + s.jws() + "\n", JWKS).checkpoint())
        .as("surrounding blanks")
        .isEqualTo(c);
  }

  static Stream<Arguments> refused() {
    String good = signed(KEY, GOOD_HEADER, GOOD_PAYLOAD);
    String[] parts = good.split("\\.");
    return Stream.of(
        Arguments.of("nothing", null, Reason.MALFORMED_TOKEN),
        Arguments.of("blank", " \n", Reason.MALFORMED_TOKEN),
        Arguments.of("not a JWS", "hello", Reason.MALFORMED_TOKEN),
        Arguments.of("two parts", parts[0] + "." + parts[1], Reason.MALFORMED_TOKEN),
        Arguments.of(
            "longer than the limit",
            good + "A".repeat(CheckpointJws.MAX_CHARS),
            Reason.TOKEN_TOO_LARGE),
        Arguments.of(
            "header not JSON", b64("{{") + "." + parts[1] + "." + parts[2], Reason.MALFORMED_TOKEN),
        Arguments.of(
            "alg none, unsigned",
            b64("{\"alg\":\"none\",\"typ\":\"" + CheckpointJws.TYP + "\"}") + "." + parts[1] + ".",
            Reason.MALFORMED_TOKEN),
        Arguments.of(
            "an access token of the same key",
            signed(KEY, header("ES256", "at+jwt", KEY.kid()), GOOD_PAYLOAD),
            Reason.MALFORMED_TOKEN),
        Arguments.of(
            "no typ",
            signed(KEY, header("ES256", null, KEY.kid()), GOOD_PAYLOAD),
            Reason.MALFORMED_TOKEN),
        Arguments.of(
            "HS256 under the checkpoint typ",
            b64(header("HS256", CheckpointJws.TYP, KEY.kid())) + "." + parts[1] + "." + parts[2],
            Reason.ALG_NOT_ALLOWED),
        Arguments.of(
            "EdDSA key of the same JWKS",
            signed(ED, header("EdDSA", CheckpointJws.TYP, ED.kid()), GOOD_PAYLOAD),
            Reason.ALG_NOT_ALLOWED),
        Arguments.of(
            "crit header",
            signed(
                KEY,
                "{\"alg\":\"ES256\",\"typ\":\""
                    + CheckpointJws.TYP
                    + "\",\"kid\":\""
                    + KEY.kid()
                    + "\",\"crit\":[\"exp\"],\"exp\":1}",
                GOOD_PAYLOAD),
            Reason.MALFORMED_TOKEN),
        Arguments.of(
            "no kid",
            signed(KEY, header("ES256", CheckpointJws.TYP, null), GOOD_PAYLOAD),
            Reason.UNKNOWN_KID),
        Arguments.of(
            "a key of another Warden",
            signed(OTHER, header("ES256", CheckpointJws.TYP, OTHER.kid()), GOOD_PAYLOAD),
            Reason.UNKNOWN_KID),
        Arguments.of(
            "forged: another key under this kid",
            signed(OTHER, GOOD_HEADER, GOOD_PAYLOAD),
            Reason.BAD_SIGNATURE),
        Arguments.of(
            "payload changed after signing",
            parts[0] + "." + b64(GOOD_PAYLOAD.replace("1050", "1041")) + "." + parts[2],
            Reason.BAD_SIGNATURE),
        Arguments.of(
            "signature cut",
            parts[0] + "." + parts[1] + "." + parts[2].substring(0, 20),
            Reason.BAD_SIGNATURE),
        Arguments.of("empty signature", parts[0] + "." + parts[1] + ".", Reason.MALFORMED_TOKEN),
        Arguments.of("payload not JSON", signed(KEY, GOOD_HEADER, "seq=1"), Reason.MALFORMED_TOKEN),
        Arguments.of(
            "payload an array", signed(KEY, GOOD_HEADER, "[1050]"), Reason.MALFORMED_TOKEN),
        Arguments.of(
            "no seq",
            signed(KEY, GOOD_HEADER, GOOD_PAYLOAD.replace("\"seq\":1050,", "")),
            Reason.MISSING_CLAIM),
        Arguments.of(
            "no hash",
            signed(KEY, GOOD_HEADER, GOOD_PAYLOAD.replace("\"hash\":\"" + HASH + "\",", "")),
            Reason.MISSING_CLAIM),
        Arguments.of(
            "no iss",
            signed(
                KEY, GOOD_HEADER, GOOD_PAYLOAD.replace("\"iss\":\"https://warden.example\",", "")),
            Reason.MISSING_CLAIM),
        Arguments.of(
            "seq a string",
            signed(KEY, GOOD_HEADER, GOOD_PAYLOAD.replace("1050", "\"1050\"")),
            Reason.MALFORMED_TOKEN),
        Arguments.of(
            "seq a fraction",
            signed(KEY, GOOD_HEADER, GOOD_PAYLOAD.replace("1050", "1050.5")),
            Reason.MALFORMED_TOKEN),
        Arguments.of(
            "seq zero",
            signed(KEY, GOOD_HEADER, GOOD_PAYLOAD.replace("1050", "0")),
            Reason.MALFORMED_TOKEN),
        Arguments.of(
            "seq past a long",
            signed(KEY, GOOD_HEADER, GOOD_PAYLOAD.replace("1050", "99999999999999999999")),
            Reason.MALFORMED_TOKEN),
        Arguments.of(
            "hash in capitals",
            signed(KEY, GOOD_HEADER, GOOD_PAYLOAD.replace(HASH, "AB".repeat(32))),
            Reason.MALFORMED_TOKEN),
        Arguments.of(
            "hash too short",
            signed(KEY, GOOD_HEADER, GOOD_PAYLOAD.replace(HASH, "ab")),
            Reason.MALFORMED_TOKEN),
        Arguments.of(
            "iat negative",
            signed(KEY, GOOD_HEADER, GOOD_PAYLOAD.replace("1800000000", "-1")),
            Reason.MALFORMED_TOKEN),
        Arguments.of(
            "chain empty",
            signed(KEY, GOOD_HEADER, GOOD_PAYLOAD.replace("\"c1\"", "\"\"")),
            Reason.MALFORMED_TOKEN),
        Arguments.of(
            "seq given twice",
            signed(
                KEY, GOOD_HEADER, GOOD_PAYLOAD.replace("\"seq\":1050,", "\"seq\":1,\"seq\":1050,")),
            Reason.MALFORMED_TOKEN));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void aCheckpointThatIsNotExactlyWhatWardenSignsIsRefusedWithItsReason(
      String what, String jws, Reason reason) {
    assertThatThrownBy(() -> CheckpointJws.verify(jws, JWKS))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  /**
   * Regression: the header was parsed by Nimbus, which decodes malformed UTF-8 into replacement
   * characters, so a signed checkpoint whose header bytes are not UTF-8 verified; the one strict
   * JWS parser refuses it (decision 021).
   */
  @Test
  void aSignedCheckpointWhoseHeaderIsNotStrictUtf8IsRefused() {
    byte[] header =
        (GOOD_HEADER.substring(0, GOOD_HEADER.length() - 1) + ",\"x\":\"?\"}")
            .getBytes(StandardCharsets.US_ASCII);
    header[header.length - 3] = (byte) 0xff; // the '?' becomes a byte that starts no UTF-8 sequence
    java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString(header) + "." + b64(GOOD_PAYLOAD);
    String jws =
        input + "." + b64.encodeToString(KEY.sign(input.getBytes(StandardCharsets.US_ASCII)));

    assertThatThrownBy(() -> CheckpointJws.verify(jws, JWKS))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_TOKEN));
  }

  @Test
  void aJwksThatIsNotOneIsRefusedNamingTheField() {
    for (String bad :
        new String[] {
          null, "", "[]", "{\"keys\":5}", "{\"keys\":[]}", "{\"keys\":[{\"kty\":\"nope\"}]}"
        }) {
      assertThatThrownBy(() -> CheckpointJws.keys("--jwks", bad))
          .as(bad)
          .isInstanceOf(ValidationException.class)
          .hasMessageStartingWith("--jwks: ");
    }
  }

  @Test
  void onlyEs256KeysSign() {
    Checkpoint c = new Checkpoint("i", "c", 1, new byte[32], Instant.EPOCH);
    assertThatThrownBy(() -> CheckpointJws.sign(ED, c))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
