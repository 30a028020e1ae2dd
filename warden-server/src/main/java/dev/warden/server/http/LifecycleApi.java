package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.impact.Impact;
import dev.warden.core.impact.ImpactService;
import dev.warden.core.inventory.InventoryService;
import dev.warden.server.admin.Scopes;

/**
 * Lifecycle: {@code POST /v1/workloads:retire} and {@code POST /v1/owners:depart} (offboarding an
 * owner). With {@code "dryRun": true} (and an optional {@code "window": "30d"}) either answers the
 * impact report of {@link ImpactService} and changes nothing; a dry run needs only {@code read}.
 * Each change reloads this node's configuration.
 */
final class LifecycleApi implements ApiUnit {
  private final InventoryService inventory;
  private final ImpactService impact;
  private final Runnable reloadNow;

  LifecycleApi(InventoryService inventory, ImpactService impact, Runnable reloadNow) {
    this.inventory = inventory;
    this.impact = impact;
    this.reloadNow = reloadNow;
  }

  @Override
  public String group() {
    return "inventory";
  }

  @Override
  public boolean owns(String rawPath) {
    return rawPath.startsWith("/v1/workloads:retire") || rawPath.startsWith("/v1/owners:depart");
  }

  @Override
  public void routes(RouteTable t) {
    // the scope depends on the body (a dry run only reads), so the handlers check it
    t.exact("/v1/workloads:retire").post(null, this::retire);
    t.exact("/v1/owners:depart").post(null, this::depart);
  }

  private void retire(Call c) {
    JsonNode b = c.json(64 * 1024);
    String w = Params.text(b, "workload");
    if (w == null) {
      throw new BadRequestException("send {\"workload\": \"spiffe://...\"}");
    }
    boolean dryRun = b.path("dryRun").asBoolean(false);
    c.need(dryRun ? Scopes.READ : Scopes.POLICY_WRITE);
    if (dryRun) {
      Impact i = impact.retire(w, ImpactRender.window(b));
      ObjectNode o = ImpactRender.render(i);
      o.put("workload", w);
      c.send(200, o);
      return;
    }
    InventoryService.RetireResult r = inventory.retire(w, c.who().actor());
    reloadNow.run();
    ObjectNode o = HttpJson.object();
    o.put("workload", r.workload());
    o.put("previousState", r.previousState());
    o.put("state", "retired");
    InventoryRender.strings(o, "revokedLeases", r.revokedLeases());
    InventoryRender.strings(o, "disabledPolicies", r.disabledPolicies());
    InventoryRender.strings(o, "keptPolicies", r.keptPolicies());
    InventoryRender.strings(o, "notRevoked", r.notRevoked());
    o.put("verified", r.verified());
    c.send(200, o);
  }

  private void depart(Call c) {
    JsonNode b = c.json(64 * 1024);
    boolean dryRun = b.path("dryRun").asBoolean(false);
    c.need(dryRun ? Scopes.READ : Scopes.POLICY_WRITE);
    if (dryRun) {
      Impact i =
          impact.depart(
              Params.text(b, "owner"),
              Params.text(b, "reassignTo"),
              b.path("suspend").asBoolean(false),
              ImpactRender.window(b));
      ObjectNode o = ImpactRender.render(i);
      o.put("owner", i.subject());
      o.put(
          "action",
          b.path("suspend").asBoolean(false)
              ? "suspended"
              : Params.text(b, "reassignTo") != null ? "reassigned" : "list");
      InventoryRender.putOpt(o, "reassignedTo", Params.text(b, "reassignTo"));
      InventoryRender.strings(o, "workloads", i.concerned());
      o.put("applied", false);
      c.send(200, o);
      return;
    }
    InventoryService.DepartResult r =
        inventory.depart(
            Params.text(b, "owner"),
            Params.text(b, "reassignTo"),
            b.path("suspend").asBoolean(false),
            dryRun,
            c.who().actor());
    if (r.applied()) {
      reloadNow.run();
    }
    ObjectNode o = HttpJson.object();
    o.put("owner", r.owner());
    o.put("action", r.action());
    InventoryRender.putOpt(o, "reassignedTo", r.reassignedTo());
    InventoryRender.strings(o, "workloads", r.workloads());
    InventoryRender.strings(o, "imported", r.imported());
    InventoryRender.strings(o, "revokedLeases", r.revokedLeases());
    o.put("applied", r.applied());
    c.send(200, o);
  }
}
