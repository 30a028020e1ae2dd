package dev.warden.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.ChainFields;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the exact JSON of {@code /v1/audit/chains/{root}}'s tree: which event fields a hop shows, in
 * which order, and which it leaves out (workload, the other details, the lease and the hashes).
 */
class ChainTreeTest {
  private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

  private static AuditRecord hop(
      long seq, String id, String workload, String resource, Map<String, String> details) {
    AuditEvent e =
        new AuditEvent(
            id,
            T.plusSeconds(seq),
            "token.exchange",
            "allow",
            "",
            "spiffe://d/a",
            workload,
            resource,
            details,
            null);
    return new AuditRecord(seq, e, new byte[] {1, 2}, new byte[] {3, 4});
  }

  @Test
  void treeShowsTheHopFieldsAndChainDetailsInAFixedOrderAndNothingElse() {
    AuditRecord root =
        hop(
            1,
            "r",
            "spiffe://d/w",
            null,
            Map.of(
                ChainFields.SUBJECT,
                "spiffe://d/user",
                ChainFields.TXN,
                "t1",
                "policy",
                "p1",
                "other",
                "not shown"));
    AuditRecord child =
        hop(
            2,
            "c",
            null,
            "https://api",
            Map.of(
                ChainFields.PREVIOUS,
                "r",
                ChainFields.ACTORS,
                "a,b",
                ChainFields.TRACEPARENT,
                "00-x-y-01",
                "message",
                "m",
                "tool",
                "t"));
    AuditRecord orphan = hop(3, "o", null, null, Map.of(ChainFields.PREVIOUS, "missing"));
    AuditRecord self = hop(4, "s", null, null, Map.of(ChainFields.PREVIOUS, "s"));

    String json =
        new String(
            HttpJson.bytes(ChainTree.render(List.of(root, child, orphan, self))),
            StandardCharsets.UTF_8);

    assertThat(json)
        .isEqualTo(
            "[{\"seq\":1,\"id\":\"r\",\"time\":\"2026-01-02T03:04:06Z\",\"type\":\"token.exchange\","
                + "\"outcome\":\"allow\",\"reason\":\"\",\"actor\":\"spiffe://d/a\","
                + "\"subject\":\"spiffe://d/user\",\"txn\":\"t1\",\"policy\":\"p1\",\"children\":["
                + "{\"seq\":2,\"id\":\"c\",\"time\":\"2026-01-02T03:04:07Z\",\"type\":\"token.exchange\","
                + "\"outcome\":\"allow\",\"reason\":\"\",\"actor\":\"spiffe://d/a\","
                + "\"resource\":\"https://api\",\"actors\":\"a,b\",\"traceparent\":\"00-x-y-01\","
                + "\"message\":\"m\",\"tool\":\"t\",\"children\":[]}]},"
                + "{\"seq\":3,\"id\":\"o\",\"time\":\"2026-01-02T03:04:08Z\",\"type\":\"token.exchange\","
                + "\"outcome\":\"allow\",\"reason\":\"\",\"actor\":\"spiffe://d/a\",\"children\":[]},"
                + "{\"seq\":4,\"id\":\"s\",\"time\":\"2026-01-02T03:04:09Z\",\"type\":\"token.exchange\","
                + "\"outcome\":\"allow\",\"reason\":\"\",\"actor\":\"spiffe://d/a\",\"children\":[]}]");
  }

  @Test
  void aProxiedRequestsHopShowsItsDestination() {
    AuditRecord proxied =
        hop(
            1,
            "p",
            "spiffe://d/w",
            "orders",
            Map.of(ChainFields.TXN, "t1", "destination", "orders.internal:443", "leaseId", "l"));
    String json =
        new String(HttpJson.bytes(ChainTree.render(List.of(proxied))), StandardCharsets.UTF_8);
    assertThat(json)
        .contains("\"resource\":\"orders\",\"txn\":\"t1\",\"destination\":\"orders.internal:443\"")
        .doesNotContain("leaseId");
  }

  @Test
  void aHopReachedTwiceIsShownWithoutItsChildrenTheSecondTime() {
    // two records with one id (b): the hop that names it as previous (c) appears under the first
    // only, so a repeated id can never make the tree endless
    AuditRecord a = hop(1, "a", null, null, Map.of());
    AuditRecord b1 = hop(2, "b", null, null, Map.of(ChainFields.PREVIOUS, "a"));
    AuditRecord b2 = hop(3, "b", null, null, Map.of(ChainFields.PREVIOUS, "a"));
    AuditRecord c = hop(4, "c", null, null, Map.of(ChainFields.PREVIOUS, "b"));

    String json =
        new String(HttpJson.bytes(ChainTree.render(List.of(a, b1, b2, c))), StandardCharsets.UTF_8);

    assertThat(json)
        .isEqualTo(
            "[{\"seq\":1,\"id\":\"a\",\"time\":\"2026-01-02T03:04:06Z\",\"type\":\"token.exchange\","
                + "\"outcome\":\"allow\",\"reason\":\"\",\"actor\":\"spiffe://d/a\",\"children\":["
                + "{\"seq\":2,\"id\":\"b\",\"time\":\"2026-01-02T03:04:07Z\",\"type\":\"token.exchange\","
                + "\"outcome\":\"allow\",\"reason\":\"\",\"actor\":\"spiffe://d/a\",\"children\":["
                + "{\"seq\":4,\"id\":\"c\",\"time\":\"2026-01-02T03:04:09Z\",\"type\":\"token.exchange\","
                + "\"outcome\":\"allow\",\"reason\":\"\",\"actor\":\"spiffe://d/a\",\"children\":[]}]},"
                + "{\"seq\":3,\"id\":\"b\",\"time\":\"2026-01-02T03:04:08Z\",\"type\":\"token.exchange\","
                + "\"outcome\":\"allow\",\"reason\":\"\",\"actor\":\"spiffe://d/a\",\"children\":[]}]}]");
  }
}
