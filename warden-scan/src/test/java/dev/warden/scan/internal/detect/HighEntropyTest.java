package dev.warden.scan.internal.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.scan.internal.detect.HighEntropy.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The high-entropy model (decision 106): the expected entropy of random strings, the acceptance
 * rate of random keys per alphabet and context (its recall on what it is meant to find), and the
 * shapes of non-secrets it must refuse.
 */
class HighEntropyTest {
  private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
  private static final String DIGITS = "0123456789";
  private static final String HEX = DIGITS + "abcdef";
  private static final String BASE36 = LOWER + DIGITS;
  private static final String ALNUM = UPPER + LOWER + DIGITS;
  private static final String BASE64 = ALNUM + "+/";
  private static final String BASE64URL = ALNUM + "-_";

  private final Corpus.Rnd rnd = new Corpus.Rnd(106);

  @ParameterizedTest
  @CsvSource({"16, 20", "16, 64", "36, 32", "62, 24", "64, 44", "64, 128", "64, 256"})
  void expectedEntropyWhenComparedWithRandomStringsThenMatchesTheirMean(int alphabet, int n) {
    String symbols = (ALNUM + "+/").substring(0, alphabet);
    double sum = 0;
    int samples = 3000;
    for (int i = 0; i < samples; i++) {
      sum += Entropy.shannon(rnd.of(symbols, n));
    }
    double mean = sum / samples;
    assertThat(Entropy.expected(n, alphabet))
        .isCloseTo(mean, org.assertj.core.data.Offset.offset(0.01 * mean));
    assertThat(Entropy.expected(n, alphabet)).isLessThan(Math.log(alphabet) / Math.log(2));
  }

  @Test
  void randomKeysWhenJudgedThenAcceptedAtTheCalibratedRate() {
    // recall of the model alone on uniformly random keys, per alphabet, length and context
    record Case(String name, String symbols, int n, Context ctx, double floor) {}
    List<Case> cases = new ArrayList<>();
    for (Context ctx : Context.values()) {
      for (int n : new int[] {20, 24, 32, 44, 64, 128}) {
        if (n < ctx.minLength) {
          continue;
        }
        double floor = n < 32 ? 0.94 : 0.96; // each of judge's tests refuses ~1% of random keys
        cases.add(new Case("alnum", ALNUM, n, ctx, floor));
        cases.add(new Case("base64", BASE64, n, ctx, floor));
        cases.add(new Case("base64url", BASE64URL, n, ctx, floor));
        if (ctx == Context.SECRET_NAME) {
          cases.add(new Case("base36", BASE36, n, ctx, floor));
          if (n >= ctx.minHexLength) {
            cases.add(new Case("hex", HEX, n, ctx, floor));
          }
        }
      }
    }
    List<String> below = new ArrayList<>();
    StringBuilder table = new StringBuilder();
    for (Case c : cases) {
      int accepted = 0;
      int samples = 2000;
      for (int i = 0; i < samples; i++) {
        if (!Double.isNaN(HighEntropy.judge(rnd.of(c.symbols(), c.n()), c.ctx()))) {
          accepted++;
        }
      }
      double rate = (double) accepted / samples;
      table.append(
          String.format(
              Locale.ROOT, "%-11s %-10s n=%3d accepted %.3f%n", c.ctx(), c.name(), c.n(), rate));
      if (rate < c.floor()) {
        below.add(c + " " + rate);
      }
    }
    System.out.print(table);
    assertThat(below).isEmpty();
  }

  @Test
  void realKeyFormatsWhenNamedAsSecretsThenAccepted() {
    int accepted = 0;
    for (int i = 0; i < 500; i++) {
      byte[] key = rnd.bytes(32);
      for (String v :
          List.of(
              Base64.getEncoder().encodeToString(key),
              Base64.getUrlEncoder().withoutPadding().encodeToString(key),
              java.util.HexFormat.of().formatHex(key))) {
        String body = v.endsWith("=") ? v.substring(0, v.length() - 1) : v;
        if (!Double.isNaN(HighEntropy.judge(body, Context.SECRET_NAME))) {
          accepted++;
        }
      }
    }
    assertThat(accepted / 1500.0).isGreaterThanOrEqualTo(0.98);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "PBEWithHmacSHA256AndAES_128",
        "SHA512withDSAinP1363Format",
        "SunTls12MasterSecret",
        "PKCS12PrivateKeyTypes",
        "KMSDataKeyForS3AndEC2Permissions",
        "userAccountHandlerV2",
        "getUserAccountHandlerFactory2",
        "VeryLongIdentifierNameWithoutDigits",
        "the_quick_brown_fox_jumps_over_2",
        "com/example/service/UserAccount2",
        "src/main/java/dev/warden/scan/Rules",
        "useraccounthandler2factory",
        "aaaaaaaaaaaaaaaaaaaaaaaa",
        "0123456789012345678901234567890123456789"
      })
  void identifiersPathsAndRunsWhenJudgedThenRejectedEvenWhenNamedAsSecrets(String value) {
    assertThat(HighEntropy.judge(value, Context.SECRET_NAME)).isNaN();
  }

  @Test
  void hexWhenNotNamedAsSecretThenRejected() {
    String sha = rnd.hex(64);
    assertThat(HighEntropy.judge(sha, Context.SECRET_NAME)).isNotNaN();
    assertThat(HighEntropy.judge(sha, Context.ANY_NAME)).isNaN();
    assertThat(HighEntropy.judge(sha, Context.QUOTED)).isNaN();
    assertThat(HighEntropy.judge(rnd.hex(24), Context.SECRET_NAME))
        .as("shorter than 128 bits")
        .isNaN();
  }

  @ParameterizedTest
  @CsvSource({
    "client_secret, SECRET_NAME",
    "signing_key, SECRET_NAME",
    "X-Api-Key, SECRET_NAME",
    "apiKey, SECRET_NAME",
    "API_KEY_PROD, SECRET_NAME",
    "api_key_2, SECRET_NAME",
    "DB_PASSWORD, SECRET_NAME",
    "hmac_key, SECRET_NAME",
    "authToken, SECRET_NAME",
    "SECRETKEY, SECRET_NAME",
    "upstream, ANY_NAME",
    "SecretKeyFactory, ANY_NAME",
    "SECRET_KEY_ALGORITHM, ANY_NAME",
    "tokenizer_model, ANY_NAME",
    "masterAlg, ANY_NAME",
    "keyboard, ANY_NAME",
    "public_key, DENIED",
    "session_id, DENIED",
    "secret_hash, DENIED",
    "integrity, DENIED",
    "commitSha, DENIED",
    "api_key_id, DENIED",
    "token_url, DENIED",
    "DeferMaintenanceIdentifier, DENIED",
    "signature, DENIED",
    "x, DENIED",
    "csrf_token, DENIED"
  })
  void keyNameWhenClassifiedThenOnlyTheEndNamesASecretAndDenialWins(String name, String expected) {
    Context c = HighEntropy.classifyName(name);
    assertThat(c == null ? "DENIED" : c.name()).isEqualTo(expected);
  }

  @Test
  void base64WhenItDecodesToTextThenEncodedTextButNotWhenItIsACredentialOrBinary() {
    assertThat(encodedText("{\"Marker\": null, \"boto_truncate_amount\": 2}")).isTrue();
    assertThat(encodedText("These aren't the droids you're looking for")).isTrue();
    assertThat(encodedText("min-replicas-to-write")).isTrue();
    assertThat(encodedText("deploy:Xq7!vNw2pZ9kR")).as("user:password is a credential").isFalse();
    assertThat(encodedText("Wn4zQ8rTk2Lm7vXp")).as("a password").isFalse();
    byte[] random = rnd.bytes(32);
    String b64 = Base64.getEncoder().encodeToString(random);
    assertThat(
            HighEntropy.isEncodedText(b64.getBytes(StandardCharsets.ISO_8859_1), 0, b64.length()))
        .isFalse();
    assertThat(HighEntropy.isEncodedText("not*base64".getBytes(StandardCharsets.ISO_8859_1), 0, 10))
        .isFalse();
  }

  private static boolean encodedText(String text) {
    byte[] b =
        Base64.getEncoder()
            .encodeToString(text.getBytes(StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.ISO_8859_1);
    return HighEntropy.isEncodedText(b, 0, b.length);
  }

  @Test
  void segmentsWhenNameMixesCasesAndSeparatorsThenLowercaseWords() {
    assertThat(HighEntropy.segments("X-Api-Key")).containsExactly("x", "api", "key");
    assertThat(HighEntropy.segments("clientSecret")).containsExactly("client", "secret");
    assertThat(HighEntropy.segments("db.signing_key")).containsExactly("db", "signing", "key");
    assertThat(HighEntropy.segments("SECRET_KEY")).containsExactly("secret", "key");
  }
}
