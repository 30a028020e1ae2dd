package dev.warden.core.grant;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.document.Documents;
import dev.warden.core.model.Named;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.trust.TrustProviders;
import dev.warden.testkit.TestOidcIssuer;
import java.time.Clock;
import java.util.List;

/**
 * What the grant-flow tests share: documents from JSON, and a Kubernetes provider trusting a test
 * issuer inline.
 */
final class GrantFixtures {
  static final ObjectMapper JSON = new ObjectMapper();

  private GrantFixtures() {}

  static Named doc(String json) throws Exception {
    return Documents.parse(JSON.readTree(json));
  }

  /**
   * Provider {@code cluster} for {@code issuer}'s tokens with audience {@code warden}; its keys
   * inline, never fetched.
   */
  static TrustProviders inlineTrust(TestOidcIssuer issuer) throws Exception {
    return TrustProviders.build(
        List.of(
            (TrustProviderSpec)
                doc(
                    "{\"kind\":\"TrustProvider\",\"metadata\":{\"name\":"
                        + "\"cluster\"},\"spec\":{\"type\":\"kubernetes\",\"issuer\":\""
                        + issuer.issuer()
                        + "\",\"audiences\":"
                        + "[\"warden\"],\"algorithms\":[\"RS256\"],\"jwks\":"
                        + issuer.jwksJson()
                        + "}}")),
        uri -> {
          throw new AssertionError("no fetch for an inline JWKS");
        },
        Clock.systemUTC());
  }
}
