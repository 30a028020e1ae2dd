package dev.warden.core.token;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.error.DeniedException;
import java.io.IOException;
import java.util.Map;

/**
 * Fuzz targets for what delegation and transaction tokens read from outside: an {@code act} claim
 * (read back only from verified Warden tokens, but parsed defensively all the same) and the {@code
 * request_details} / {@code request_context} parameters. Each returns a value or throws {@link
 * DeniedException}; anything else is a bug. {@code JAZZER_FUZZ=1 ./mvnw test -pl warden-core
 * -Dtest=DelegationClaimsFuzzTest} fuzzes for real.
 */
class DelegationClaimsFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @FuzzTest(maxDuration = "30s")
  void actClaimParsesToAChainThatRendersBackOrIsRefused(FuzzedDataProvider data) {
    Object claim;
    try {
      claim = JSON.readValue(data.consumeRemainingAsString(), Object.class);
    } catch (IOException e) {
      return;
    }
    try {
      Actor a = Actor.fromClaim(claim);
      if (a == null) {
        return;
      }
      StringBuilder sb = new StringBuilder();
      a.appendJson(sb);
      Map<?, ?> back = JSON.readValue(sb.toString(), Map.class);
      if (!Actor.fromClaim(back).equals(a) || a.depth() > Actor.MAX_DEPTH) {
        throw new IllegalStateException("act chain did not survive its own rendering: " + sb);
      }
    } catch (DeniedException expected) {
      // documented outcome
    } catch (IOException e) {
      throw new IllegalStateException("Warden wrote an act claim it cannot read back", e);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void requestDetailsAreAJsonObjectOrRefused(FuzzedDataProvider data) {
    try {
      TransactionTokenMinter.jsonObject("request_details", data.consumeRemainingAsString());
    } catch (DeniedException expected) {
      // documented outcome
    }
  }
}
