package dev.warden.agent.workloadapi;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.core.error.ValidationException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Fuzz targets for the agent's parsers of outside input: /proc stat lines (a process controls its
 * own name) and JWT-SVIDs given to ValidateJWTSVID. Seeds replay with every build; {@code
 * JAZZER_FUZZ=1 ./mvnw test -pl warden-agent -Dtest=ProcStatFuzzTest} fuzzes for real.
 */
class ProcStatFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void statLineGivesAStartTimeOrIsRejected(FuzzedDataProvider data) {
    String line = data.consumeRemainingAsString();
    try {
      if (ProcStat.startTime(line) < 0) {
        throw new IllegalStateException("negative start time accepted: " + line);
      }
    } catch (IllegalArgumentException expected) {
      // documented outcome
    }
  }

  @FuzzTest(maxDuration = "30s")
  void jwtSvidValidatesOrIsRejectedWithAReason(FuzzedDataProvider data) {
    String aud = data.consumeString(64);
    String token = data.consumeRemainingAsString();
    try {
      JwtSvidValidator.validate(
          token,
          aud,
          Map.of(
              "example.org",
              List.of(
                  "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                      + "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}")),
          Instant.EPOCH);
    } catch (ValidationException expected) {
      // documented outcome
    }
  }
}
