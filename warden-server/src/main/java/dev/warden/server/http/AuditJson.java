package dev.warden.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.checkpoint.Checkpoint;
import dev.warden.core.checkpoint.SignedCheckpoint;
import dev.warden.core.model.Lease;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The JSON of an audit event and of a checkpoint, one form for the API ({@code /v1/audit}, {@code
 * /v1/audit/checkpoints}) and the audit stream, so that a reader of either re-hashes events the
 * same way ({@code warden audit verify} reads this form).
 */
public final class AuditJson {
  private AuditJson() {}

  /** An event with its place in the chain: seq, its fields, prevHash and hash (lower-case hex). */
  public static ObjectNode event(AuditRecord r) {
    AuditEvent e = r.event();
    ObjectNode o = head(r);
    if (e.workload() != null) {
      o.put("workload", e.workload());
    }
    if (e.resource() != null) {
      o.put("resource", e.resource());
    }
    ObjectNode d = o.putObject("details");
    e.details().forEach(d::put);
    if (e.lease() != null) {
      o.set("lease", Render.lease(e.lease()));
    }
    o.put("prevHash", HexFormat.of().formatHex(r.prevHash()));
    o.put("hash", HexFormat.of().formatHex(r.hash()));
    return o;
  }

  /**
   * {@link #event} written straight to {@code g}: the same bytes as serialising {@link #event},
   * field for field and in the same order, without building the tree first (a proof export of 1,000
   * events spent most of its own CPU building and walking ~30,000 tree nodes).
   */
  public static void write(JsonGenerator g, AuditRecord r) throws IOException {
    AuditEvent e = r.event();
    g.writeStartObject();
    g.writeNumberField("seq", r.seq());
    g.writeStringField("id", e.id());
    g.writeStringField("time", e.time().toString());
    g.writeStringField("type", e.type());
    g.writeStringField("outcome", e.outcome());
    g.writeStringField("reason", e.reason());
    g.writeStringField("actor", e.actor());
    if (e.workload() != null) {
      g.writeStringField("workload", e.workload());
    }
    if (e.resource() != null) {
      g.writeStringField("resource", e.resource());
    }
    g.writeObjectFieldStart("details");
    for (Map.Entry<String, String> d : e.details().entrySet()) {
      g.writeStringField(d.getKey(), d.getValue());
    }
    g.writeEndObject();
    Lease l = e.lease();
    if (l != null) {
      // as Render.lease
      g.writeObjectFieldStart("lease");
      g.writeStringField("id", l.id());
      g.writeStringField("kind", l.kind().wire());
      g.writeStringField("workload", l.workload());
      g.writeStringField("resource", l.resource());
      g.writeStringField("issuedAt", l.issuedAt().toString());
      g.writeStringField("expiresAt", l.expiresAt().toString());
      if (l.revokedAt() != null) {
        g.writeStringField("revokedAt", l.revokedAt().toString());
        g.writeStringField("revokeReason", l.revokeReason());
      }
      g.writeStringField("fingerprint", l.fingerprint());
      g.writeEndObject();
    }
    g.writeStringField("prevHash", HexFormat.of().formatHex(r.prevHash()));
    g.writeStringField("hash", HexFormat.of().formatHex(r.hash()));
    g.writeEndObject();
  }

  /**
   * The fields every rendering of an event opens with, in this order: seq, id, time, type, outcome,
   * reason, actor. {@link #event} and the chain tree ({@link ChainTree}) add their own after them.
   */
  static ObjectNode head(AuditRecord r) {
    AuditEvent e = r.event();
    ObjectNode o = HttpJson.object();
    o.put("seq", r.seq());
    o.put("id", e.id());
    o.put("time", e.time().toString());
    o.put("type", e.type());
    o.put("outcome", e.outcome());
    o.put("reason", e.reason());
    o.put("actor", e.actor());
    return o;
  }

  /**
   * A signed checkpoint: what it states in clear (for people and queries) and the compact JWS in
   * {@code checkpoint} (what {@code warden audit verify --checkpoint} verifies; the clear fields
   * are not trusted).
   */
  public static ObjectNode checkpoint(SignedCheckpoint s) {
    Checkpoint c = s.checkpoint();
    ObjectNode o = HttpJson.object();
    o.put("kind", "checkpoint");
    o.put("chain", c.chain());
    o.put("seq", c.seq());
    o.put("hash", c.hashHex());
    o.put("time", c.time().toString());
    o.put("issuer", c.issuer());
    o.put("kid", s.kid());
    o.put("checkpoint", s.jws());
    return o;
  }
}
