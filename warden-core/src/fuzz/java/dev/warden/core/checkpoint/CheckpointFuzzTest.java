package dev.warden.core.checkpoint;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.jwk.JWKSet;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.token.AccessTokenMinter;
import dev.warden.core.token.KeyMaterial;
import dev.warden.core.token.SigningAlgorithm;
import java.security.SecureRandom;

/**
 * Fuzz targets for what {@code warden audit verify --checkpoint} reads from outside: the checkpoint
 * (a whole compact JWS, or a header and payload signed with a key of the JWKS, so the fuzzer
 * reaches the claims) and the JWKS. Each returns a verified checkpoint or throws {@link
 * DeniedException} ({@link ValidationException} for the JWKS); anything else is a bug. {@code
 * JAZZER_FUZZ=1 ./mvnw test -pl warden-core -Dtest=CheckpointFuzzTest} fuzzes for real.
 */
class CheckpointFuzzTest {
  private static final KeyMaterial KEY =
      KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom());
  private static final JWKSet JWKS =
      CheckpointJws.keys("jwks", "{\"keys\":[" + KEY.publicJwk() + "]}");

  @FuzzTest(maxDuration = "30s")
  void aCheckpointVerifiesOrIsRefused(FuzzedDataProvider data) {
    try {
      CheckpointJws.verify(data.consumeRemainingAsString(), JWKS);
    } catch (DeniedException expected) {
      // documented outcome
    }
  }

  @FuzzTest(maxDuration = "30s")
  void signedClaimsVerifyOrAreRefused(FuzzedDataProvider data) {
    String header =
        data.consumeBoolean()
            ? "{\"alg\":\"ES256\",\"typ\":\""
                + CheckpointJws.TYP
                + "\",\"kid\":\""
                + KEY.kid()
                + "\"}"
            : data.consumeString(200);
    String jws = AccessTokenMinter.signCompact(KEY, header, data.consumeRemainingAsString());
    try {
      VerifiedCheckpoint v = CheckpointJws.verify(jws, JWKS);
      if (v.checkpoint().seq() < 1 || v.checkpoint().hash().length != Checkpoint.HASH_BYTES) {
        throw new IllegalStateException("a checkpoint out of range verified: " + v);
      }
    } catch (DeniedException expected) {
      // documented outcome
    }
  }

  @FuzzTest(maxDuration = "30s")
  void aJwksParsesOrIsRefused(FuzzedDataProvider data) {
    try {
      CheckpointJws.keys("jwks", data.consumeRemainingAsString());
    } catch (ValidationException expected) {
      // documented outcome
    }
  }
}
