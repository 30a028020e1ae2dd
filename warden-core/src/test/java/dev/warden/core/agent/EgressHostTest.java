package dev.warden.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.model.Resource;
import dev.warden.core.model.Sensitivity;
import org.junit.jupiter.api.Test;

/**
 * Which outside host a resource declares as its HTTP destination, the only host the server issues
 * the agent's egress proxy a certificate for (decision 406).
 */
class EgressHostTest {
  static Resource resource(String audience, String kind) {
    return new Resource(
        "r",
        audience,
        kind,
        Sensitivity.MEDIUM,
        null,
        null,
        null,
        "secret".equals(kind) ? "s" : null);
  }

  @Test
  void theHostOfAnHttpsAudienceOfAnHttpKindIsTheDestination() {
    assertThat(AgentService.egressHost(resource("https://API.Stripe.com/v1", "secret")))
        .isEqualTo("api.stripe.com");
    assertThat(AgentService.egressHost(resource("https://billing.internal:8443", "http")))
        .isEqualTo("billing.internal");
    assertThat(AgentService.egressHost(resource("https://localhost/x", "http")))
        .isEqualTo("localhost");
  }

  @Test
  void noDestinationForPlainHttpIpLiteralsSingleLabelsOrOtherKinds() {
    assertThat(AgentService.egressHost(resource("http://api.example.com", "http"))).isNull();
    assertThat(AgentService.egressHost(resource("https://10.0.0.1", "http"))).isNull();
    assertThat(AgentService.egressHost(resource("https://[::1]", "http"))).isNull();
    assertThat(AgentService.egressHost(resource("https://intranet", "http"))).isNull();
    assertThat(AgentService.egressHost(resource("spiffe://acme/x", "http"))).isNull();
    assertThat(AgentService.egressHost(resource("https://db.example.com", "postgres"))).isNull();
  }
}
