package dev.warden.core.oauth;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;

/**
 * A Client ID Metadata Document is fetched from a URL any unauthenticated caller names: the parser
 * returns metadata that keeps every rule, or throws {@link DeniedException} with {@code
 * invalid_client_metadata}, nothing else, whatever the bytes.
 */
class ClientMetadataFuzzTest {
  static final String URL = "https://client.example/oauth/client.json";

  @FuzzTest(maxDuration = "30s")
  void parseReturnsValidatedMetadataOrInvalid(FuzzedDataProvider data) {
    String clientId = data.consumeBoolean() ? URL : data.consumeString(100);
    byte[] body = data.consumeRemainingAsBytes();
    try {
      ClientMetadata m = ClientMetadata.parse(clientId, body);
      if (!m.clientId().equals(clientId)
          || m.redirectUris().isEmpty()
          || m.clientName().isBlank()) {
        throw new IllegalStateException("metadata that breaks a rule was accepted");
      }
      for (String r : m.redirectUris()) {
        if (!r.startsWith("https://") && !r.startsWith("http://")) {
          throw new IllegalStateException("a redirect URI with another scheme was accepted: " + r);
        }
      }
    } catch (DeniedException expected) {
      if (expected.reason() != Reason.INVALID_CLIENT_METADATA) {
        throw new IllegalStateException("unexpected reason " + expected.reason());
      }
    }
    try {
      ClientMetadata.checkClientId(clientId);
    } catch (DeniedException expected) {
      // documented outcome
    }
  }
}
