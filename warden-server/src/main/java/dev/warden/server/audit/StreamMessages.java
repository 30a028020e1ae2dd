package dev.warden.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.checkpoint.SignedCheckpoint;
import dev.warden.server.http.AuditJson;
import dev.warden.server.http.HttpJson;

/**
 * The one JSON form of what the audit stream carries, in every sink: an event is {@code
 * {"kind":"event","chain":…}} followed by the fields of {@code GET /v1/audit/chain} (seq, id, time,
 * …, prevHash, hash); a checkpoint is the object of {@code GET /v1/audit/checkpoints/latest}
 * ({@code "kind":"checkpoint"}, with the JWS in {@code checkpoint}).
 */
final class StreamMessages {
  private StreamMessages() {}

  static byte[] event(String chain, AuditRecord r) {
    ObjectNode o = HttpJson.object();
    o.put("kind", "event");
    o.put("chain", chain);
    o.setAll(AuditJson.event(r));
    return bytes(o);
  }

  static byte[] checkpoint(SignedCheckpoint c) {
    return bytes(AuditJson.checkpoint(c));
  }

  private static byte[] bytes(ObjectNode o) {
    try {
      return HttpJson.MAPPER.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
