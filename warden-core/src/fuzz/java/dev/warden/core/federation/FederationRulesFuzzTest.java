package dev.warden.core.federation;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.FederationCloud;
import java.io.IOException;
import java.util.List;

/**
 * Fuzz targets for what {@code warden federation check} reads from an issuer (discovery, JWKS, a
 * token) and what {@code warden federation config} reads from a server: the rules return one
 * finding per rule whatever they are given, and a federation target parses or is refused with
 * {@link ValidationException}. {@code JAZZER_FUZZ=1 ./mvnw test -pl warden-core
 * -Dtest=FederationRulesFuzzTest} fuzzes for real.
 */
class FederationRulesFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      return null;
    }
  }

  @FuzzTest(maxDuration = "30s")
  void everyRuleGivesAVerdictWhateverTheIssuerServes(FuzzedDataProvider data) {
    FederationCloud cloud = data.pickValue(FederationCloud.values());
    String issuer = data.consumeString(200);
    JsonNode discovery = json(data.consumeString(2000));
    JsonNode jwks = json(data.consumeString(4000));
    String token = data.consumeRemainingAsString();
    FederationRules.IssuerFacts f =
        new FederationRules.IssuerFacts(
            issuer,
            discovery,
            "x",
            jwks,
            "y",
            FederationRules.Tls.TRUSTED,
            "",
            new FederationRules.SampleToken(token, "aud", null));
    List<FederationRules.Finding> out = FederationRules.check(cloud, f);
    if (out.size() != FederationRules.Rule.values().length) {
      throw new IllegalStateException("a rule gave no verdict");
    }
  }

  @FuzzTest(maxDuration = "20s")
  void targetParsesOrIsRefused(FuzzedDataProvider data) {
    JsonNode n = json(data.consumeRemainingAsString());
    if (n == null) {
      return;
    }
    try {
      FederationTarget.fromJson(n);
    } catch (ValidationException expected) {
      // documented outcome
    }
  }
}
