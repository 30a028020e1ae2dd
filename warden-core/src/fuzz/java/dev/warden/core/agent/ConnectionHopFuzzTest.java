package dev.warden.core.agent;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.core.audit.Traceparent;

/**
 * Fuzz target for the chain headers the agent's HTTP proxy reads from applications ({@code
 * Txn-Token}, {@code traceparent}): {@link ProxiedConnection.Hop#of} never throws, keeps a {@code
 * traceparent} only when it is well-formed, and never passes on a token longer than the bound.
 * {@code JAZZER_FUZZ=1 ./mvnw test -pl warden-core -Dtest=ConnectionHopFuzzTest} fuzzes for real.
 */
class ConnectionHopFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void chainHeadersAreBoundedAndAMalformedTraceparentIsIgnored(FuzzedDataProvider data) {
    String trace = data.consumeString(100);
    String token = data.consumeRemainingAsString();
    ProxiedConnection.Hop h = ProxiedConnection.Hop.of(token, trace);
    if (h == null) {
      return;
    }
    if (h.traceparent() != null && !h.traceparent().equals(Traceparent.validOrNull(trace))) {
      throw new IllegalStateException("a traceparent that does not parse was kept: " + trace);
    }
    if (h.txnToken() != null
        && h.txnToken().reveal().length() > ProxiedConnection.Hop.MAX_TXN_TOKEN) {
      throw new IllegalStateException("an oversized Txn-Token was passed on");
    }
  }
}
