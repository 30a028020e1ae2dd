package dev.warden.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.crypto.Secret;
import dev.warden.core.error.ValidationException;
import org.junit.jupiter.api.Test;

/** What the HTTP proxy passes on of a request's chain headers, and what a report may carry. */
class ConnectionHopTest {
  static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void noChainHeadersIsNoHop() {
    assertThat(ProxiedConnection.Hop.of(null, null)).isNull();
    assertThat(ProxiedConnection.Hop.of("  ", "not-a-traceparent")).isNull();
  }

  @Test
  void theTxnTokenIsPassedOnTrimmedAndAMalformedTraceparentDropped() {
    ProxiedConnection.Hop h = ProxiedConnection.Hop.of(" eyJ.a.b ", "00-zz");
    assertThat(h.txnToken().reveal()).isEqualTo("eyJ.a.b");
    assertThat(h.traceparent()).isNull();
    assertThat(h.txnTokenOmitted()).isNull();
  }

  @Test
  void anOversizedTxnTokenIsLeftOutWithTheReason() {
    String huge = "a".repeat(ProxiedConnection.Hop.MAX_TXN_TOKEN + 1);
    ProxiedConnection.Hop h = ProxiedConnection.Hop.of(huge, TRACE);
    assertThat(h.txnToken()).isNull();
    assertThat(h.txnTokenOmitted()).contains("longer than 8192");
    assertThat(h.traceparent()).isEqualTo(TRACE);
    assertThat(ProxiedConnection.Hop.of("a".repeat(ProxiedConnection.Hop.MAX_TXN_TOKEN), null))
        .extracting(x -> x.txnToken().reveal().length())
        .isEqualTo(ProxiedConnection.Hop.MAX_TXN_TOKEN);
  }

  @Test
  void aReportWithAnOversizedTxnTokenIsRefusedAndABadTraceparentIgnored() {
    String huge = "a".repeat(ProxiedConnection.Hop.MAX_TXN_TOKEN + 1);
    assertThatThrownBy(() -> new ProxiedConnection.Hop(Secret.of(huge), null, null))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("8192");
    assertThat(new ProxiedConnection.Hop(null, null, "bogus").traceparent()).isNull();
  }
}
