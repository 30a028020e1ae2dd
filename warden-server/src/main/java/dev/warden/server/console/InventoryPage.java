package dev.warden.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.inventory.Inventory;
import dev.warden.core.inventory.KpiHistoryStore;
import dev.warden.core.inventory.LeakRecord;
import dev.warden.core.inventory.Maturity;
import dev.warden.core.inventory.PostureIndex;
import dev.warden.core.recert.RecertService;
import dev.warden.server.admin.Scopes;
import dev.warden.server.http.HttpJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Inventory and posture, one page with tabs: the NHI inventory (cursor-paged from the posture
 * index, filtered like {@code GET /v1/inventory}), findings by OWASP NHI rule with their
 * remediation, the maturity of each subject, the KPIs with their daily history as charts,
 * recertification campaigns (confirm or retire each workload from here), and reported leaks.
 */
final class InventoryPage {
  static final int PAGE = 50;

  record View(
      String tab,
      Instant now,
      PostureIndex.@Nullable ItemsPage items,
      @Nullable String kind,
      @Nullable String owner,
      @Nullable String cursor,
      PostureIndex.@Nullable FindingsPage findings,
      @Nullable String severity,
      @Nullable String rule,
      int offset,
      @Nullable List<Maturity.Assessment> maturity,
      @Nullable String stage,
      @Nullable JsonNode kpi,
      @Nullable String kpiSeries,
      @Nullable List<RecertService.View> campaigns,
      @Nullable List<LeakRecord> leaks) {}

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
      case "posture" -> {
        c.needIndex();
        findings =
            s.inventory()
                .posture(
                    c.param("severity"),
                    c.param("rule"),
                    offset,
                    PAGE,
                    s.inventory().thresholds(),
                    false);
      }
      case "maturity" -> {
        Estate.Snapshot e = estate.get();
        maturity =
            e == null ? null : e.firstByStage().getOrDefault(stage(c.param("stage")), List.of());
      }
      case "kpi" -> {
        Estate.Snapshot e = estate.get();
        kpi = e == null ? null : e.kpi();
        series = kpiSeries(s.inventory().kpiHistory(90));
      }
      case "recert" -> campaigns = s.recert().list();
      case "leaks" -> {
        Estate.Snapshot e = estate.get();
        leaks = e == null ? null : e.leaks();
      }
      default -> {
        tab = "items";
        c.needIndex();
        items =
            s.inventory()
                .items(
                    new Inventory.Filter(c.param("kind"), c.param("owner"), null, null, null),
                    c.param("after"),
                    PAGE,
                    false);
      }
    }
    View v =
        new View(
            tab,
            c.now(),
            items,
            c.param("kind"),
            c.param("owner"),
            c.param("after"),
            findings,
            c.param("severity"),
            c.param("rule"),
            offset,
            maturity,
            c.param("stage"),
            kpi,
            series,
            campaigns,
            leaks);
    c.page(o -> JteinventoryGenerated.render(o, null, c.frame("Inventory", "inventory"), v));
  }

  /** Daily KPI snapshots as chart data: x in epoch seconds, the shares in percent. */
  static String kpiSeries(List<KpiHistoryStore.Snapshot> days) {
    ObjectNode o = HttpJson.object();
    ArrayNode x = o.putArray("x");
    ObjectNode series = o.putObject("series");
    ArrayNode owner = series.putArray("owner %");
    ArrayNode shortLived = series.putArray("short-lived %");
    ArrayNode stale = series.putArray("stale");
    for (KpiHistoryStore.Snapshot d : days) {
      JsonNode j;
      try {
        j = HttpJson.MAPPER.readTree(d.json());
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

  /** The stage filter: 1..7, or 0 for every stage. */
  private static int stage(@Nullable String v) {
    if (v == null) {
      return 0;
    }
    if (!v.matches("[1-7]")) {
      throw new dev.warden.core.error.ValidationException(
          "stage", "must be a maturity stage from 1 to 7");
    }
    return Integer.parseInt(v);
  }

  private static int intParam(ConsoleCall c, String name) {
    try {
      return c.param(name) == null ? 0 : Integer.parseInt(c.param(name));
    } catch (NumberFormatException e) {
      throw new dev.warden.core.error.ValidationException(name, "must be a whole number");
    }
  }
}
