package dev.warden.bench;

import dev.warden.core.crypto.Secret;
import dev.warden.core.token.AccessTokenMinter;
import dev.warden.core.token.KeyMaterial;
import dev.warden.core.token.SigningAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Token signing on one core: Warden's BouncyCastle lightweight ES256 and Ed25519 against the JDK's
 * own ES256 provider (the baseline of the same run), and a whole access token mint.
 *
 * <pre>java -jar warden-bench/target/warden-bench.jar SigningBenchmark -t 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SigningBenchmark {
  KeyMaterial es256;
  KeyMaterial ed25519;
  KeyPair jdkEc;
  byte[] input;
  AccessTokenMinter.Claims claims;

  @Setup
  public void setup() throws Exception {
    es256 = KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom());
    ed25519 = KeyMaterial.generate(SigningAlgorithm.EdDSA, new SecureRandom());
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    jdkEc = g.generateKeyPair();
    Instant now = Instant.parse("2026-06-01T10:00:00Z");
    claims =
        AccessTokenMinter.Claims.bearer(
            "https://warden.acme.test",
            "spiffe://acme.test/ci/deploy",
            "https://payments.acme.test",
            "spiffe://acme.test/ci/deploy",
            "deploy",
            "3b0f5d2e-4a7c-4f5e-9d7a-1c2b3a4d5e6f",
            now,
            now.plusSeconds(300));
    input =
        ("eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9." + "x".repeat(300))
            .getBytes(StandardCharsets.US_ASCII);
  }

  @Benchmark
  public byte[] bcEs256Sign() {
    return es256.sign(input);
  }

  @Benchmark
  public byte[] bcEd25519Sign() {
    return ed25519.sign(input);
  }

  @Benchmark
  public byte[] jdkEs256SignBaseline() throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(jdkEc.getPrivate());
    s.update(input);
    return s.sign();
  }

  @Benchmark
  public Secret mintEs256AccessToken() {
    return AccessTokenMinter.mint(es256, claims);
  }

  @Benchmark
  public Secret mintEd25519AccessToken() {
    return AccessTokenMinter.mint(ed25519, claims);
  }
}
