package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.impact.Impact;
import dev.warden.core.model.Durations;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The JSON of a dry run ({@code "dryRun": true}): what would be revoked, deleted and changed, who
 * used it in the window, and who would lose access. Field names match the real operation's answer
 * where they overlap ({@code revokedLeases}, {@code disabledPolicies}, {@code keptPolicies}), so a
 * prediction can be compared with what the operation then does.
 */
final class ImpactRender {
  private ImpactRender() {}

  /** The window a dry-run body asks for ({@code "window": "30d"}), or null for the default. */
  static @Nullable Duration window(JsonNode body) {
    return Durations.parse("window", Params.text(body, "window"));
  }

  static ObjectNode render(Impact i) {
    ObjectNode o = HttpJson.object();
    o.put("dryRun", true);
    o.put("operation", i.operation());
    o.put("subject", i.subject());
    o.put("at", i.at().toString());
    o.put("window", Durations.format(i.window()));
    o.put("since", i.since().toString());
    InventoryRender.strings(
        o, "revokedLeases", i.leases().stream().map(Impact.LeaseChange::id).toList());
    ArrayNode leases = o.putArray("leases");
    for (Impact.LeaseChange l : i.leases()) {
      ObjectNode x = leases.addObject();
      x.put("id", l.id());
      x.put("kind", l.kind());
      InventoryRender.putOpt(x, "workload", l.workload());
      InventoryRender.putOpt(x, "resource", l.resource());
      x.put("issuedAt", l.issuedAt().toString());
      x.put("expiresAt", l.expiresAt().toString());
      x.put("state", l.state());
      InventoryRender.putOpt(x, "target", l.target());
    }
    ObjectNode byKind = o.putObject("leasesByKind");
    i.leasesByKind().forEach(byKind::put);
    InventoryRender.strings(o, "disabledPolicies", i.policiesDeleted());
    InventoryRender.strings(o, "keptPolicies", i.policiesKept());
    ArrayNode changes = o.putArray("workloadChanges");
    for (Impact.WorkloadChange w : i.workloads()) {
      ObjectNode x = changes.addObject();
      x.put("workload", w.workload());
      x.put("state", w.state());
      x.put("stateAfter", w.stateAfter());
      InventoryRender.putOpt(x, "owner", w.owner());
      InventoryRender.putOpt(x, "ownerAfter", w.ownerAfter());
    }
    InventoryRender.strings(o, "imported", i.imported());
    ArrayNode consumers = o.putArray("consumers");
    i.consumers().forEach(c -> consumers.add(consumer(c)));
    ArrayNode loses = o.putArray("loseAccess");
    i.losingAccess().forEach(c -> loses.add(consumer(c)));
    return o;
  }

  private static ObjectNode consumer(Impact.Consumer c) {
    ObjectNode x = HttpJson.object();
    x.put("workload", c.workload());
    x.put("resource", c.resource());
    InventoryRender.strings(x, "credentialKinds", c.credentialKinds());
    x.put("count", c.count());
    InventoryRender.putOpt(x, "lastUsed", c.lastUsed() == null ? null : c.lastUsed().toString());
    x.put("access", c.access().wire());
    InventoryRender.putOpt(x, "policy", c.policy());
    InventoryRender.putOpt(x, "reason", c.reason());
    return x;
  }
}
