package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.inventory.PostureIndex;
import dev.warden.core.inventory.PostureThresholds;
import dev.warden.server.admin.Scopes;
import java.time.Duration;
import java.util.List;

/**
 * Posture findings: {@code GET /v1/posture} (thresholds may be overridden per request, a what-if
 * judged from the store) and {@code POST /v1/posture:rebuild}. The scope is checked before the
 * method.
 */
final class PostureApi implements ApiUnit {
  private final InventoryService inventory;

  PostureApi(InventoryService inventory) {
    this.inventory = inventory;
  }

  @Override
  public String group() {
    return "inventory";
  }

  @Override
  public boolean owns(String rawPath) {
    return rawPath.startsWith("/v1/posture");
  }

  @Override
  public void routes(RouteTable t) {
    t.exact("/v1/posture:rebuild").guard(Scopes.POLICY_WRITE).post(null, this::rebuild);
    t.exact("/v1/posture").guard(Scopes.READ).get(null, this::posture);
  }

  private void rebuild(Call c) {
    InventoryService.IndexRebuild r =
        inventory.rebuildIndex().orElseThrow(() -> new NotFoundException("route", c.rawPath()));
    ObjectNode o = HttpJson.object();
    o.put("rebuilt", true);
    o.put("millis", r.millis());
    o.put("importedItems", r.size().imported());
    o.put("wardenItems", r.size().wardenItems());
    o.put("findings", r.size().findings());
    o.put("auditSeq", r.size().head());
    o.put("readMillis", r.size().readMillis());
    o.put("judgeMillis", r.size().judgeMillis());
    c.send(200, o);
  }

  private void posture(Call c) {
    String severity = c.param("severity");
    String rule = c.param("rule");
    PostureThresholds t = thresholds(c);
    int limit = Params.intParam(c, "limit", Integer.MAX_VALUE, 1, 100_000);
    int offset = Params.intParam(c, "offset", 0, 0, Integer.MAX_VALUE);
    PostureIndex.FindingsPage page =
        inventory.posture(severity, rule, offset, limit, t, Params.flag(c, "recompute"));
    ObjectNode o = HttpJson.object();
    ArrayNode a = o.putArray("findings");
    page.findings().forEach(f -> a.add(InventoryRender.finding(f)));
    o.set("bySeverity", HttpJson.MAPPER.valueToTree(page.bySeverity()));
    o.set("byOwasp", HttpJson.MAPPER.valueToTree(page.byOwasp()));
    o.put("total", page.total());
    if (page.evaluatedAt() != null) {
      o.put("evaluatedAt", page.evaluatedAt().toString());
    }
    if (offset + page.findings().size() < page.total()) {
      o.put("next", offset + page.findings().size());
    }
    ObjectNode th = o.putObject("thresholds");
    th.put("unusedGrant", t.unusedGrant().toString());
    th.put("staticMaxAge", t.staticMaxAge().toString());
    th.put("rotationInterval", t.rotationInterval().toString());
    th.put("stale", t.stale().toString());
    InventoryRender.strings(th, "workstationCidrs", t.workstationCidrs());
    c.send(200, o);
  }

  /** The configured thresholds with any per-request overrides. */
  private PostureThresholds thresholds(Call c) {
    PostureThresholds d = inventory.thresholds();
    String cidrs = c.param("workstationCidrs");
    return new PostureThresholds(
        days(c, "unusedGrantDays", d.unusedGrant()),
        days(c, "staticMaxAgeDays", d.staticMaxAge()),
        days(c, "rotationDays", d.rotationInterval()),
        days(c, "staleDays", d.stale()),
        cidrs == null ? d.workstationCidrs() : List.of(cidrs.trim().split("\\s*,\\s*")));
  }

  private static Duration days(Call c, String name, Duration fallback) {
    String v = c.param(name);
    if (v == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v);
      if (n < 1 || n > 36_500) {
        throw new NumberFormatException();
      }
      return Duration.ofDays(n);
    } catch (NumberFormatException e) {
      throw new ValidationException(name, "must be a whole number of days between 1 and 36500");
    }
  }
}
