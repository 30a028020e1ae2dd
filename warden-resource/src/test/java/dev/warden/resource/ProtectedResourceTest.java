package dev.warden.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProtectedResourceTest {
  // nothing listens here: every token below is refused before any key is fetched
  final ProtectedResource pr =
      ProtectedResource.builder("http://127.0.0.1:9/mcp", "http://127.0.0.1:9").build();

  @Test
  void anAccessTokenWhoseHeaderIsJsonNullIsRefusedAsInvalidTokenNotACrash() {
    // regression: Nimbus throws NullPointerException on it, which escaped authenticate
    ProtectedResource.Outcome o = pr.authenticate("Bearer bnVsbA.e30.c2ln", Set.of());

    assertThat(o.allowed()).isFalse();
    assertThat(o.status()).isEqualTo(401);
    assertThat(o.wwwAuthenticate()).contains("error=\"invalid_token\"");
  }

  @Test
  void theMetadataAdvertisesDpopAlgorithms() {
    assertThat(pr.metadataJson()).contains("\"dpop_signing_alg_values_supported\"");
  }

  @Test
  void anUnreadableTokenUnderTheDpopSchemeIsInvalidToken() {
    ProtectedResource.Outcome o =
        pr.authenticate("DPoP x.y.z", List.of("p.r.f"), "GET", "http://127.0.0.1:9/mcp", Set.of());
    assertThat(o.status()).isEqualTo(401);
    assertThat(o.wwwAuthenticate()).contains("invalid_token");
  }
}
