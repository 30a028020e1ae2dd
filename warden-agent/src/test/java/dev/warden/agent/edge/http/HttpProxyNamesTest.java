package dev.warden.agent.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.testkit.TestTlsCertificates;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent uses a certificate to stand in for a destination only when it names that host alone: a
 * server that predates destination certificates answers the loopback edge certificate (localhost,
 * 127.0.0.1, ::1), which must not intercept 127.0.0.1 or anything else.
 */
class HttpProxyNamesTest {
  static final TestTlsCertificates CA = TestTlsCertificates.newCa("names");

  @Test
  void aCertificateNamingTheHostAloneStandsInForIt() {
    assertThat(
            HttpProxy.namesOnly(
                CA.server(List.of("api.example.com")).certificate(), "API.example.com"))
        .isTrue();
  }

  @Test
  void theLoopbackEdgeCertificateOrOneNamingMoreNeverDoes() {
    var loopback =
        CA.server(List.of("billing.warden.internal", "localhost", "127.0.0.1", "::1"))
            .certificate();
    assertThat(HttpProxy.namesOnly(loopback, "127.0.0.1")).isFalse();
    assertThat(HttpProxy.namesOnly(loopback, "localhost")).isFalse();
    assertThat(
            HttpProxy.namesOnly(
                CA.server(List.of("a.example.com", "b.example.com")).certificate(),
                "a.example.com"))
        .isFalse();
    assertThat(
            HttpProxy.namesOnly(CA.server(List.of("b.example.com")).certificate(), "a.example.com"))
        .isFalse();
  }
}
