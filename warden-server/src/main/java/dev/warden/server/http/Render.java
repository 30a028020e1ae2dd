package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.admin.AdminToken;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.config.Change;
import dev.warden.core.document.Documents;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Named;
import dev.warden.core.policy.Explanation;
import dev.warden.core.store.Versioned;
import java.time.Instant;
import java.util.Locale;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * JSON forms of API results. Never renders a secret: tokens, keys and leases appear by id and
 * fingerprint.
 */
public final class Render {
  private Render() {}

  /**
   * A stored object; {@code disabledReason} non-null adds {@code status: {state: disabled,
   * reason}}.
   */
  static ObjectNode object(Versioned<Named> v, String disabledReason) {
    ObjectNode doc = Documents.toDocument(v.value());
    ObjectNode meta = (ObjectNode) doc.get("metadata");
    meta.put("version", v.version());
    meta.put("updatedAt", str(v.updatedAt()));
    meta.put("updatedBy", v.updatedBy());
    if (disabledReason != null) {
      ObjectNode status = doc.putObject("status");
      status.put("state", "disabled");
      status.put("reason", disabledReason);
    }
    return doc;
  }

  static ObjectNode change(Change c) {
    ObjectNode o = HttpJson.object();
    o.put("kind", c.kind().wire());
    o.put("name", c.name());
    o.put("action", c.action());
    o.put("fromVersion", c.fromVersion());
    o.put("toVersion", c.toVersion());
    ArrayNode d = o.putArray("diff");
    c.diff().forEach(d::add);
    if (!c.warnings().isEmpty()) {
      ArrayNode w = o.putArray("warnings");
      c.warnings().forEach(w::add);
    }
    return o;
  }

  public static ObjectNode audit(AuditRecord r) {
    return AuditJson.event(r);
  }

  static ObjectNode lease(Lease l) {
    ObjectNode o = HttpJson.object();
    o.put("id", l.id());
    o.put("kind", l.kind().wire());
    o.put("workload", l.workload());
    o.put("resource", l.resource());
    o.put("issuedAt", str(l.issuedAt()));
    o.put("expiresAt", str(l.expiresAt()));
    if (l.revokedAt() != null) {
      o.put("revokedAt", str(l.revokedAt()));
      o.put("revokeReason", l.revokeReason());
    }
    o.put("fingerprint", l.fingerprint());
    return o;
  }

  static ObjectNode adminToken(AdminToken t) {
    ObjectNode o = HttpJson.object();
    o.put("id", t.id());
    o.put("name", t.name());
    ArrayNode s = o.putArray("scopes");
    new TreeSet<>(t.scopes()).forEach(s::add);
    o.put("createdAt", str(t.createdAt()));
    o.put("createdBy", t.createdBy());
    if (t.expiresAt() != null) {
      o.put("expiresAt", str(t.expiresAt()));
    }
    if (t.revokedAt() != null) {
      o.put("revokedAt", str(t.revokedAt()));
    }
    return o;
  }

  static ObjectNode key(SigningKeyRecord k) {
    ObjectNode o = HttpJson.object();
    o.put("kid", k.kid());
    o.put("purpose", k.purpose().wire());
    o.put("algorithm", k.algorithm());
    o.put("state", k.state().name().toLowerCase(Locale.ROOT));
    o.put("createdAt", str(k.createdAt()));
    putTime(o, "activatedAt", k.activatedAt());
    putTime(o, "retiredAt", k.retiredAt());
    putTime(o, "destroyAfter", k.destroyAfter());
    return o;
  }

  static ObjectNode explanation(Explanation x) {
    ObjectNode o = HttpJson.object();
    ObjectNode d = o.putObject("decision");
    d.put("allowed", x.decision().allowed());
    d.put("reason", x.decision().reason().code());
    if (x.decision().policy() != null) {
      d.put("policy", x.decision().policy());
    }
    d.put("message", x.decision().message());
    if (x.decision().allowed()) {
      d.put("maxTtl", dev.warden.core.model.Durations.format(x.decision().maxTtl()));
      d.put("credentialKind", x.decision().credentialKind().name().toLowerCase(Locale.ROOT));
    }
    ArrayNode ps = o.putArray("policies");
    for (Explanation.Verdict v : x.policies()) {
      ObjectNode p = ps.addObject();
      p.put("policy", v.policy());
      p.put("effect", v.effect());
      p.put("outcome", v.outcome().name().toLowerCase(Locale.ROOT));
      p.put("detail", v.detail());
    }
    return o;
  }

  private static void putTime(ObjectNode o, String f, @Nullable Instant t) {
    if (t != null) {
      o.put(f, t.toString());
    }
  }

  private static @Nullable String str(@Nullable Instant t) {
    return t == null ? null : t.toString();
  }
}
