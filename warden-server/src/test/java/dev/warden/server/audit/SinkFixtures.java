package dev.warden.server.audit;

import dev.warden.core.audit.AuditChain;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.checkpoint.Checkpoint;
import dev.warden.core.checkpoint.CheckpointJws;
import dev.warden.core.checkpoint.SignedCheckpoint;
import dev.warden.core.token.KeyMaterial;
import dev.warden.core.token.SigningAlgorithm;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real hash chain of {@code n} events and checkpoints over it, for the sinks' own tests. */
final class SinkFixtures {
  static final KeyMaterial KEY = KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom());

  private SinkFixtures() {}

  static List<AuditRecord> chain(int n, int detailBytes) {
    List<AuditRecord> out = new ArrayList<>();
    byte[] prev = AuditChain.GENESIS;
    for (int i = 1; i <= n; i++) {
      AuditEvent e =
          new AuditEvent(
              "event-" + i,
              Instant.parse("2026-12-07T08:00:00Z").plusSeconds(i),
              "config.updated",
              "success",
              "",
              "admin:test",
              null,
              null,
              Map.of("pad", "x".repeat(detailBytes)),
              null);
      byte[] h = AuditChain.link(prev, i, e);
      out.add(new AuditRecord(i, e, prev, h));
      prev = h;
    }
    return out;
  }

  static SignedCheckpoint checkpoint(AuditRecord last) {
    return CheckpointJws.sign(
        KEY,
        new Checkpoint(
            "https://warden.example",
            "chain-1",
            last.seq(),
            last.hash(),
            Instant.parse("2026-12-07T09:00:00Z")));
  }
}
