package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.inventory.BlastRadius;
import dev.warden.core.inventory.Finding;
import dev.warden.core.inventory.Grants;
import dev.warden.core.inventory.InventoryItem;
import dev.warden.core.inventory.Kpi;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** JSON forms of inventory results. Imported items carry names and fingerprints, never values. */
final class InventoryRender {
  private InventoryRender() {}

  static ObjectNode item(InventoryItem i) {
    ObjectNode x = HttpJson.object();
    x.put("id", i.id());
    x.put("kind", i.kind());
    x.put("name", i.name());
    putOpt(x, "owner", i.owner());
    putOpt(x, "team", i.team());
    putOpt(x, "environment", i.environment());
    x.put("source", i.source());
    putTime(x, "created", i.created());
    putTime(x, "expiry", i.expiry());
    putTime(x, "lastUsed", i.lastUsed());
    x.put("credentialType", i.credentialType().wire());
    strings(x, "privileges", i.privileges());
    putTime(x, "lastRotation", i.lastRotation());
    x.set("attributes", HttpJson.MAPPER.valueToTree(new TreeMap<>(i.attributes())));
    return x;
  }

  static ObjectNode blastRadius(BlastRadius b) {
    ObjectNode o = HttpJson.object();
    o.put("itemId", b.itemId());
    o.put("subject", b.subject());
    o.put("score", b.score());
    ArrayNode a = o.putArray("reachable");
    for (Grants.Grant g : b.reachable()) {
      ObjectNode x = a.addObject();
      x.put("resource", g.resource());
      x.put("sensitivity", g.sensitivity().name().toLowerCase(Locale.ROOT));
      x.put("weight", g.weight());
      putOpt(x, "policy", g.policy());
      x.put("path", g.path());
      x.put("conditional", g.conditional());
    }
    return o;
  }

  static ObjectNode finding(Finding f) {
    ObjectNode x = HttpJson.object();
    x.put("ruleId", f.ruleId());
    x.put("severity", f.severity().wire());
    x.put("owasp", f.owasp());
    x.put("itemId", f.itemId());
    putOpt(x, "subject", f.subject());
    x.put("evidence", f.evidence());
    x.put("remediation", f.remediation());
    return x;
  }

  static ObjectNode kpi(Kpi k) {
    return HttpJson.MAPPER.valueToTree(k.fields());
  }

  static void strings(ObjectNode o, String field, List<String> values) {
    ArrayNode a = o.putArray(field);
    values.forEach(a::add);
  }

  static void putOpt(ObjectNode o, String field, @Nullable String v) {
    if (v != null) {
      o.put(field, v);
    }
  }

  private static void putTime(ObjectNode o, String field, @Nullable Instant t) {
    if (t != null) {
      o.put(field, t.toString());
    }
  }
}
