package dev.warden.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.inventory.Inventory;
import dev.warden.core.inventory.InventoryFacts;
import dev.warden.core.inventory.KpiHistoryStore;
import dev.warden.core.inventory.LeakRecord;
import dev.warden.core.inventory.Maturity;
import dev.warden.core.inventory.PostureIndex;
import dev.warden.core.recert.RecertService;
import dev.warden.server.admin.Scopes;
import dev.warden.server.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Inventory and posture, one page with tabs: the NHI inventory (cursor-paged from the posture
 * index, filtered like {@code GET /v1/inventory}), findings by OWASP NHI rule with their
 * remediation, the maturity of each subject, the KPIs with their daily history as charts,
 * recertification campaigns (confirm or retire each workload from here), and reported leaks.
 */
final class InventoryPage {
  static final int PAGE = 50;

  record View(String tab, Instant now, PostureIndex.ItemsPage items, String kind, String owner, String cursor,
      PostureIndex.FindingsPage findings, String severity, String rule, int offset, List<Maturity.Assessment> maturity,
      String stage, JsonNode kpi, String kpiSeries, List<RecertService.View> campaigns, List<LeakRecord> leaks) {}

  private final ConsoleServices s;
  private final Estate estate;

  InventoryPage(ConsoleServices s, Estate estate) {
    this.s = s;
    this.estate = estate;
  }

  void register(Console c) {
    c.route("/inventory", Scopes.READ, this::show, null);
    c.route("/recert/decide", Scopes.POLICY_WRITE, null, this::decide);
  }

  private void show(ConsoleCall c) {
    String tab = c.param("tab") == null ? "items" : c.param("tab");
    PostureIndex.ItemsPage items = null;
    PostureIndex.FindingsPage findings = null;
    List<Maturity.Assessment> maturity = null;
    JsonNode kpi = null;
    String series = null;
    List<RecertService.View> campaigns = null;
    List<LeakRecord> leaks = null;
    int offset = Math.max(0, intParam(c, "offset"));
    switch (tab) {
      case "posture" -> findings = s.inventory().posture(c.param("severity"), c.param("rule"), offset, PAGE,
          s.inventory().thresholds(), false);
      case "maturity" -> {
        String stage = c.param("stage");
        maturity = estate.get().byItem().values().stream()
            .filter(a -> stage == null || Integer.toString(a.stage()).equals(stage))
            .sorted(Comparator.comparingInt(Maturity.Assessment::stage).thenComparing(Maturity.Assessment::itemId))
            .limit(200).toList();
      }
      case "kpi" -> {
        kpi = Json.MAPPER.valueToTree(s.inventory().kpi().fields());
        series = kpiSeries(s.inventory().kpiHistory(90));
      }
      case "recert" -> campaigns = s.recert().list();
      case "leaks" -> {
        InventoryFacts f = s.inventory().facts();
        leaks = new ArrayList<>(f.leaks());
        leaks.sort(Comparator.comparing(LeakRecord::reportedAt).reversed());
        leaks = leaks.subList(0, Math.min(200, leaks.size()));
      }
      default -> {
        tab = "items";
        items = s.inventory().items(new Inventory.Filter(c.param("kind"), c.param("owner"), null, null, null),
            c.param("after"), PAGE, false);
      }
    }
    View v = new View(tab, c.now(), items, c.param("kind"), c.param("owner"), c.param("after"), findings,
        c.param("severity"), c.param("rule"), offset, maturity, c.param("stage"), kpi, series, campaigns, leaks);
    c.page(o -> JteinventoryGenerated.render(o, null, c.frame("Inventory", "inventory"), v));
  }

  /** Daily KPI snapshots as chart data: x in epoch seconds, the shares in percent. */
  static String kpiSeries(List<KpiHistoryStore.Snapshot> days) {
    ObjectNode o = Json.object();
    ArrayNode x = o.putArray("x");
    ObjectNode series = o.putObject("series");
    ArrayNode owner = series.putArray("owner %");
    ArrayNode shortLived = series.putArray("short-lived %");
    ArrayNode stale = series.putArray("stale");
    for (KpiHistoryStore.Snapshot d : days) {
      JsonNode j;
      try {
        j = Json.MAPPER.readTree(d.json());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      x.add(Instant.parse(d.day() + "T00:00:00Z").getEpochSecond());
      owner.add(Math.round(j.path("ownerShare").asDouble() * 100));
      shortLived.add(Math.round(j.path("shortLivedShare").asDouble() * 100));
      stale.add(j.path("stale").asLong());
    }
    return o.toString();
  }

  private void decide(ConsoleCall c) {
    String campaign = c.required("campaign");
    String workload = c.required("workload");
    String decision = c.required("decision");
    s.recert().decide(campaign, workload, decision, c.field("note"), c.who.actor());
    s.reloadNow().run();
    estate.invalidate();
    c.redirect("/console/inventory?tab=recert", workload + ": " + decision + ".");
  }

  private static int intParam(ConsoleCall c, String name) {
    try {
      return c.param(name) == null ? 0 : Integer.parseInt(c.param(name));
    } catch (NumberFormatException e) {
      throw new dev.warden.core.error.ValidationException(name, "must be a whole number");
    }
  }
}
