package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.inventory.BlastRadius;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.inventory.KpiHistoryStore;
import dev.warden.core.inventory.Maturity;
import dev.warden.server.admin.Scopes;
import java.nio.charset.StandardCharsets;

/**
 * Reports, under {@code /v1/report/} and {@code /v1/reports/}: {@code maturity}, {@code
 * blast-radius} (every identity ranked), {@code kpi} and {@code kpi/history?days=} (the daily
 * snapshots). Scope {@code read}, checked before the method.
 */
final class ReportApi implements ApiUnit {
  private final InventoryService inventory;

  ReportApi(InventoryService inventory) {
    this.inventory = inventory;
  }

  @Override
  public String group() {
    return "inventory";
  }

  @Override
  public boolean owns(String rawPath) {
    return rawPath.startsWith("/v1/report/") || rawPath.startsWith("/v1/reports/");
  }

  @Override
  public void routes(RouteTable t) {
    t.exact("/v1/report/maturity", "/v1/reports/maturity")
        .guard(Scopes.READ)
        .get(null, this::maturity);
    t.exact("/v1/report/blast-radius", "/v1/reports/blast-radius")
        .guard(Scopes.READ)
        .get(null, this::blastRadius);
    t.exact("/v1/report/kpi/history").guard(Scopes.READ).get(null, this::kpiHistory);
    t.exact("/v1/report/kpi", "/v1/reports/kpi")
        .guard(Scopes.READ)
        .get(null, c -> c.send(200, InventoryRender.kpi(inventory.kpi())));
  }

  private void maturity(Call c) {
    Maturity.Report r = Maturity.assess(inventory.facts());
    ObjectNode o = HttpJson.object();
    ObjectNode dist = o.putObject("distribution");
    r.distribution().forEach((k, v) -> dist.put(Integer.toString(k), v));
    ArrayNode a = o.putArray("subjects");
    for (Maturity.Assessment s : r.subjects()) {
      ObjectNode x = a.addObject();
      x.put("itemId", s.itemId());
      x.put("subject", s.subject());
      x.put("stage", s.stage());
      x.put("reason", s.reason());
    }
    c.send(200, o);
  }

  private void blastRadius(Call c) {
    ArrayNode a = HttpJson.MAPPER.createArrayNode();
    BlastRadius.ranking(inventory.facts()).forEach(b -> a.add(InventoryRender.blastRadius(b)));
    ObjectNode o = HttpJson.object();
    o.set("items", a);
    c.send(200, o);
  }

  private void kpiHistory(Call c) {
    int days = Params.intParam(c, "days", 30, 1, 3660);
    ObjectNode o = HttpJson.object();
    ArrayNode arr = o.putArray("days");
    for (KpiHistoryStore.Snapshot snap : inventory.kpiHistory(days)) {
      ObjectNode d = arr.addObject();
      d.put("day", snap.day());
      d.put("computedAt", snap.computedAt().toString());
      d.set("kpi", HttpJson.parse(snap.json().getBytes(StandardCharsets.UTF_8)));
    }
    c.send(200, o);
  }
}
