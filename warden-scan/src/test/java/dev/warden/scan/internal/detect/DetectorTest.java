package dev.warden.scan.internal.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.scan.Confidence;
import dev.warden.scan.Finding;
import dev.warden.scan.FingerprintKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DetectorTest {
  private static final Detector DETECTOR = new Detector(Rules.all());
  private static final FingerprintKey KEY = FingerprintKey.of(new byte[32]);
  private final Corpus.Rnd rnd = new Corpus.Rnd(42);

  private static List<Finding> scan(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    List<Finding> out = new ArrayList<>();
    LongAdder suppressed = new LongAdder();
    new ContentScanner(DETECTOR, KEY, FindingFilter.NONE, suppressed).scan(b, b.length, 0, b.length, new LineCursor(1), "t.txt", out::add);
    return out;
  }

  @Test
  void githubTokenWhenChecksumValidThenReportedWithHighConfidence() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    List<Finding> f = scan("x = '" + token + "'\n");
    assertThat(f).singleElement().satisfies(x -> {
      assertThat(x.ruleId()).isEqualTo("github-pat");
      assertThat(x.secret().reveal()).isEqualTo(token);
      assertThat(x.confidence()).isEqualTo(Confidence.HIGH);
      assertThat(x.line()).isEqualTo(1);
      assertThat(x.column()).isEqualTo(6);
    });
  }

  @Test
  void tokenWhenChecksumWrongThenNotReported() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    char last = token.charAt(token.length() - 1);
    String broken = token.substring(0, token.length() - 1) + (last == 'a' ? 'b' : 'a');
    assertThat(scan("x = '" + broken + "'\n")).isEmpty();
  }

  @Test
  void checksumWhenComputedThenMatchesBase62OfCrc32() {
    assertThat(Checksums.base62Crc(0)).isEqualTo("000000");
    assertThat(Checksums.base62Crc(61)).isEqualTo("00000z");
    assertThat(Checksums.base62Crc(62)).isEqualTo("000010");
    assertThat(Checksums.prefixedCrc32(Corpus.githubStyle(rnd, "gho_"))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      "api_key = \"<your-token>\"",
      "password = \"${DB_PASSWORD}\"",
      "password: changeme",
      "secret = \"xxxxxxxxxxxxxxxxxxxxxxxx\"",
      "token = process.env.API_TOKEN",
      "STRIPE=sk_live_XXXXXXXXXXXXXXXXXXXXXXXXXXXX",
      "url = \"postgres://user:password@localhost/db\"",
      "stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'",
  })
  void placeholderWhenScannedThenNotReported(String line) {
    assertThat(scan(line + "\n")).isEmpty();
  }

  @Test
  void findingWhenLineHasIgnoreMarkerThenSuppressed() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    assertThat(scan("t = '" + token + "' # warden:ignore\nu = '" + token + "'\n"))
        .singleElement().satisfies(f -> assertThat(f.line()).isEqualTo(2));
  }

  @Test
  void providerTokenWhenInsideGenericAssignmentThenReportedOnceAsProvider() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    assertThat(scan("secret_token = \"" + token + "\"\n")).singleElement()
        .satisfies(f -> assertThat(f.ruleId()).isEqualTo("github-pat"));
  }

  @Test
  void fingerprintWhenSameSecretThenSameHmacUnderSameKey() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    List<Finding> f = scan("a=" + token + "\nb=" + token + "\n");
    assertThat(f).hasSize(2);
    assertThat(f.get(0).fingerprint()).isEqualTo(f.get(1).fingerprint()).isEqualTo(KEY.fingerprint(token));
  }

  @Test
  void columnWhenLineHasMultibyteCharactersThenCountsCodePoints() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    assertThat(scan("\u00e9\u00e9 = '" + token + "'\n")).singleElement().satisfies(f -> assertThat(f.column()).isEqualTo(7));
  }

  @Test
  void invalidUtf8WhenAroundSecretThenSecretStillFound() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    byte[] head = {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, '\n'};
    byte[] body = ("k=" + token + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    List<Finding> out = new ArrayList<>();
    new ContentScanner(DETECTOR, KEY, FindingFilter.NONE, new LongAdder()).scan(all, all.length, 0, all.length, new LineCursor(1), "bin", out::add);
    assertThat(out).singleElement().satisfies(f -> assertThat(f.line()).isEqualTo(2));
  }

  @Test
  void keywordIndexWhenKeywordsOverlapThenReportsEveryOccurrence() {
    KeywordIndex idx = new KeywordIndex(List.of("he", "she", "hers", "his"));
    List<String> hits = new ArrayList<>();
    byte[] text = "USHERS his".getBytes(StandardCharsets.US_ASCII);
    idx.scan(text, 0, text.length, (k, end) -> hits.add(k + "@" + end));
    assertThat(hits).containsExactlyInAnyOrder("1@3", "0@3", "2@5", "3@9");
  }

  @Test
  void entropyWhenUniformThenLog2OfAlphabet() {
    assertThat(Entropy.shannon("abcd")).isEqualTo(2.0);
    assertThat(Entropy.shannon("aaaa")).isEqualTo(0.0);
  }
}
