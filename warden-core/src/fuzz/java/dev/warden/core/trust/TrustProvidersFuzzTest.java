package dev.warden.core.trust;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.core.error.DeniedException;
import dev.warden.core.model.ProviderType;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.testkit.FixedClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz target for the token parser and verifier: whatever the input, {@link TrustProviders#verify}
 * returns an identity or throws {@link DeniedException} — never another exception (no NPE, no
 * IllegalArgumentException, nothing from Nimbus, Jackson or BouncyCastle).
 *
 * <p>Runs its seed corpus (src/fuzz/resources/…/TrustProvidersFuzzTestInputs) with every build;
 * {@code JAZZER_FUZZ=1 ./mvnw -pl warden-core test -Dtest=TrustProvidersFuzzTest} fuzzes for real.
 * The key below is a fixed test key, used nowhere else; the seeds are tokens it signed.
 */
class TrustProvidersFuzzTest {
  static final String ISSUER = "https://k8s.fuzz.example";

  /** Private half of the fixed Ed25519 test key (RFC 8032 seed). Test-only. */
  static final byte[] TEST_KEY_SEED =
      HexFormat.of().parseHex("45ff6c69365b782fe94677e2ecb5901eb5dfd61aef9251f97fe87c159bdabfc1");

  static final String JWKS =
      "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"fuzz-1\",\"use\":\"sig\",\"alg\":\"EdDSA\","
          + "\"x\":\"jxLdriwTpB7EuzHOwn5MOKM866fGLqGEIi93YbO86Vg\"}]}";

  /** 2025-01-01T00:00:30Z: the seeds were issued at 2025-01-01T00:00:00Z for one hour. */
  static final FixedClock CLOCK = FixedClock.at(FixedClock.DEFAULT_INSTANT.plusSeconds(30));

  static final TrustProviders PROVIDERS =
      TrustProviders.build(
          List.of(
              new TrustProviderSpec(
                  "fuzz-cluster",
                  ProviderType.KUBERNETES,
                  ISSUER,
                  null,
                  JWKS,
                  List.of("warden"),
                  List.of("EdDSA", "RS256", "ES256"),
                  Duration.ofHours(2),
                  null,
                  Map.of("/kubernetes.io/labels/app", "app", "groups", "group"),
                  List.of("jti")),
              new TrustProviderSpec(
                  "offline",
                  ProviderType.GITHUB_ACTIONS,
                  "https://offline.fuzz.example",
                  null,
                  null,
                  List.of("warden"),
                  List.of("RS256"),
                  null,
                  null,
                  null,
                  null)),
          uri -> {
            throw new IOException("offline");
          },
          CLOCK);

  /**
   * Replaying the seeds needs no fuzzing instrumentation, and Jazzer's hooks cost ~30 s of start-up
   * on this project's class path; real fuzzing ({@code JAZZER_FUZZ} set) keeps them. Jazzer reads
   * its options once per JVM, so this only takes effect if no other fuzz test configured it first.
   */
  @BeforeAll
  static void noHooksWhenOnlyReplayingSeeds() {
    String fuzz = System.getenv("JAZZER_FUZZ");
    if ((fuzz == null || fuzz.isEmpty())
        && System.getProperty("jazzer.hooks") == null
        && System.getenv("JAZZER_HOOKS") == null) {
      System.setProperty("jazzer.hooks", "false");
    }
  }

  @FuzzTest(maxDuration = "60s")
  void verifyEitherSucceedsOrDenies(byte[] input) {
    check(new String(input, StandardCharsets.UTF_8));
  }

  /**
   * Gets past the signature check: any header and payload, correctly signed with the provider's
   * key.
   */
  @FuzzTest(maxDuration = "60s")
  void verifyOfSignedArbitraryJsonEitherSucceedsOrDenies(FuzzedDataProvider data) {
    String header =
        data.consumeBoolean() ? "{\"alg\":\"EdDSA\",\"kid\":\"fuzz-1\"}" : data.consumeString(120);
    String payload = data.consumeRemainingAsString();
    check(sign(header, payload));
  }

  @org.junit.jupiter.api.Test
  void tokenSignedWithTheFixedKeyVerifies() {
    String payload =
        "{\"iss\":\""
            + ISSUER
            + "\",\"sub\":\"system:serviceaccount:a:b\",\"aud\":\"warden\","
            + "\"iat\":1735689600,\"exp\":1735693200,\"jti\":\"j\","
            + "\"kubernetes.io\":{\"namespace\":\"a\",\"serviceaccount\":{\"name\":\"b\"}}}";
    assertThat(PROVIDERS.verify(sign("{\"alg\":\"EdDSA\",\"kid\":\"fuzz-1\"}", payload)).subject())
        .isEqualTo("system:serviceaccount:a:b");
  }

  private static void check(String token) {
    try {
      AttestedIdentity id = PROVIDERS.verify(token);
      assertThat(id.selectors()).isNotEmpty();
      assertThat(id.provider()).isEqualTo("fuzz-cluster");
    } catch (DeniedException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.getMessage()).isNotNull();
    }
  }

  static String sign(String header, String payload) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input =
        b64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    Ed25519Signer s = new Ed25519Signer();
    s.init(true, new Ed25519PrivateKeyParameters(TEST_KEY_SEED));
    byte[] bytes = input.getBytes(StandardCharsets.US_ASCII);
    s.update(bytes, 0, bytes.length);
    return input + "." + b64.encodeToString(s.generateSignature());
  }
}
