package dev.warden.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditChain;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditProof;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import dev.warden.server.http.HttpJson;
import dev.warden.server.http.Render;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The proof export is written as a stream; its bytes are those the JSON tree of each event ({@link
 * Render#audit}) serialised to, so a proof verifies and reads exactly as before.
 */
class AuditProofJsonTest {
  static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  static List<AuditRecord> chain() {
    Map<String, String> odd = new LinkedHashMap<>();
    odd.put("näme", "välue ✓");
    odd.put("quote\"", "line\nbreak\ttab\u0001");
    odd.put("empty", "");
    odd.put("slash</script>", "\\u0041");
    Lease lease =
        new Lease(
            "jti-1",
            CredentialKind.ACCESS_TOKEN,
            "spiffe://acme.test/api",
            "ledger",
            T0,
            T0.plusSeconds(300),
            null,
            null,
            "ab".repeat(32));
    Lease revoked =
        new Lease(
            "jti-2",
            CredentialKind.DATABASE_USER,
            null,
            null,
            T0,
            T0.plusSeconds(60),
            T0.plusSeconds(30),
            "leaked",
            "cd".repeat(32));
    List<AuditEvent> events =
        List.of(
            new AuditEvent(
                "e1",
                T0,
                "token.issued",
                "allow",
                "allowed",
                "spiffe://acme.test/api",
                "spiffe://acme.test/api",
                "ledger",
                Map.of("jti", "jti-1"),
                lease),
            new AuditEvent(
                "e2",
                T0.plusNanos(1000),
                "config.updated",
                "success",
                "",
                "admin:1",
                null,
                null,
                odd,
                null),
            new AuditEvent(
                "e3",
                T0.plusSeconds(1),
                "lease.revoked",
                "success",
                "leaked",
                "system",
                "spiffe://acme.test/db",
                null,
                Map.of(),
                revoked));
    List<AuditRecord> out = new ArrayList<>();
    byte[] prev = new byte[32];
    long seq = 41;
    for (AuditEvent e : events) {
      byte[] hash = AuditChain.link(prev, seq, e);
      out.add(new AuditRecord(seq++, e, prev, hash));
      prev = hash;
    }
    return out;
  }

  /** The export as the console built it before it was streamed: a tree, then its bytes. */
  static byte[] asTree(long from, long to, List<AuditRecord> records, long verified, Instant at) {
    ObjectNode o = HttpJson.object();
    o.put("format", "warden-audit-proof/1");
    o.put(
        "hash",
        "hash(n) = SHA-256(hash(n-1) || canonical(seq, event)); see docs/console.md#audit-proof");
    o.put("from", from);
    o.put("to", to);
    if (!records.isEmpty()) {
      o.put("anchor", HexFormat.of().formatHex(records.get(0).prevHash()));
      o.put("last", HexFormat.of().formatHex(records.get(records.size() - 1).hash()));
    }
    o.put("verifiedThroughOnServer", verified);
    o.put("exportedAt", at.toString());
    ArrayNode a = o.putArray("events");
    records.forEach(r -> a.add(Render.audit(r)));
    return HttpJson.bytes(o);
  }

  @Test
  void theStreamedExportIsByteForByteTheTreeItReplaced() {
    List<AuditRecord> records = chain();
    Instant at = T0.plusSeconds(99);

    byte[] streamed = AuditPage.proofJson(41, 43, records, 40, at);

    assertThat(new String(streamed, StandardCharsets.UTF_8))
        .isEqualTo(new String(asTree(41, 43, records, 40, at), StandardCharsets.UTF_8));
    assertThat(AuditPage.proofJson(7, 9, List.of(), 0, at))
        .isEqualTo(asTree(7, 9, List.of(), 0, at));
  }

  @Test
  void theStreamedExportVerifiesOffline() {
    byte[] streamed = AuditPage.proofJson(41, 43, chain(), 40, T0);

    AuditProof.Result r = AuditProof.parse(new String(streamed, StandardCharsets.UTF_8)).verify();

    assertThat(r.intact()).as(String.valueOf(r.problem())).isTrue();
    assertThat(r.checked()).isEqualTo(3);
  }
}
