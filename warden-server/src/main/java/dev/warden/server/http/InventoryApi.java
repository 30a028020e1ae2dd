package dev.warden.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.BlastRadius;
import dev.warden.core.inventory.CredentialType;
import dev.warden.core.inventory.Finding;
import dev.warden.core.inventory.Grants;
import dev.warden.core.inventory.Importers;
import dev.warden.core.inventory.Inventory;
import dev.warden.core.inventory.InventoryItem;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.inventory.Kpi;
import dev.warden.core.inventory.Maturity;
import dev.warden.core.inventory.PostureIndex;
import dev.warden.core.inventory.PostureThresholds;
import dev.warden.server.ServerMetrics;
import dev.warden.server.admin.AdminPrincipal;
import dev.warden.server.admin.AdminTokens;
import dev.warden.server.admin.AuthException;
import dev.warden.server.admin.Scopes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

/**
 * The inventory and posture API (issue #5): {@code /v1/inventory}, {@code /v1/inventory:import},
 * {@code /v1/inventory/<id>/blast-radius}, {@code /v1/posture}, {@code /v1/report/maturity},
 * {@code /v1/report/blast-radius}, {@code /v1/workloads:retire}, {@code /v1/owners:depart}.
 * Authenticated and scope-checked like {@link AdminApi}; reads need {@code read}, changes
 * {@code policy:write}. Handlers parse, call {@link InventoryService}, render.
 */
public final class InventoryApi {
  private static final int MAX_IMPORT = 16 * 1024 * 1024;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final List<String> PREFIXES = List.of("/v1/inventory", "/v1/posture", "/v1/report/", "/v1/reports/",
      "/v1/workloads:retire", "/v1/owners:depart");

  private final AdminTokens adminTokens;
  private final InventoryService inventory;
  private final Fingerprinter fingerprinter;
  private final Runnable reloadNow;
  private final ServerMetrics metrics;

  public InventoryApi(AdminTokens adminTokens, InventoryService inventory, Fingerprinter fingerprinter,
      Runnable reloadNow, ServerMetrics metrics) {
    this.adminTokens = adminTokens;
    this.inventory = inventory;
    this.fingerprinter = fingerprinter;
    this.reloadNow = reloadNow;
    this.metrics = metrics;
  }

  /** True for the paths this API serves; everything else under {@code /v1} stays with {@link AdminApi}. */
  public static boolean handles(String rawPath) {
    for (String p : PREFIXES) {
      if (rawPath.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  public void handle(ServerRequest req, ServerResponse res) {
    try {
      AdminPrincipal who = adminTokens.authenticate(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
      route(req, res, who);
    } catch (RuntimeException e) {
      Errors.api(res, e);
    }
    metrics.request("inventory", res.status().code());
  }

  private void route(ServerRequest req, ServerResponse res, AdminPrincipal who) {
    String raw = req.path().rawPath();
    Method m = req.prologue().method();
    if (raw.equals("/v1/inventory")) {
      need(who, Scopes.READ, m, Method.GET);
      list(req, res);
    } else if (raw.equals("/v1/inventory:import")) {
      need(who, Scopes.POLICY_WRITE, m, Method.POST);
      importItems(req, res, who);
    } else if (raw.startsWith("/v1/inventory/") && raw.endsWith("/blast-radius")) {
      need(who, Scopes.READ, m, Method.GET);
      String id = decode(raw.substring("/v1/inventory/".length(), raw.length() - "/blast-radius".length()));
      send(res, 200, blastRadius(inventory.blastRadius(id)));
    } else if (raw.equals("/v1/posture:rebuild")) {
      need(who, Scopes.POLICY_WRITE, m, Method.POST);
      InventoryService.IndexRebuild r = inventory.rebuildIndex().orElseThrow(() -> new NotFoundException("route", raw));
      var size = r.size();
      ObjectNode o = Json.object();
      o.put("rebuilt", true);
      o.put("millis", r.millis());
      o.put("importedItems", size.imported());
      o.put("wardenItems", size.wardenItems());
      o.put("findings", size.findings());
      o.put("auditSeq", size.head());
      o.put("readMillis", size.readMillis());
      o.put("judgeMillis", size.judgeMillis());
      send(res, 200, o);
    } else if (raw.equals("/v1/posture")) {
      need(who, Scopes.READ, m, Method.GET);
      posture(req, res);
    } else if (raw.equals("/v1/report/maturity") || raw.equals("/v1/reports/maturity")) {
      need(who, Scopes.READ, m, Method.GET);
      maturity(res);
    } else if (raw.equals("/v1/report/blast-radius") || raw.equals("/v1/reports/blast-radius")) {
      need(who, Scopes.READ, m, Method.GET);
      ArrayNode a = Json.MAPPER.createArrayNode();
      BlastRadius.ranking(inventory.facts()).forEach(b -> a.add(blastRadius(b)));
      ObjectNode o = Json.object();
      o.set("items", a);
      send(res, 200, o);
    } else if (raw.equals("/v1/report/kpi/history")) {
      need(who, Scopes.READ, m, Method.GET);
      int days = 30;
      if (q(req, "days") != null) {
        try {
          days = Integer.parseInt(q(req, "days"));
        } catch (NumberFormatException e) {
          days = -1;
        }
        if (days < 1 || days > 3660) {
          throw new dev.warden.core.error.ValidationException("days", "must be a whole number from 1 to 3660");
        }
      }
      ObjectNode o = Json.object();
      ArrayNode arr = o.putArray("days");
      for (var snap : inventory.kpiHistory(days)) {
        ObjectNode d = arr.addObject();
        d.put("day", snap.day());
        d.put("computedAt", snap.computedAt().toString());
        d.set("kpi", Json.parse(snap.json().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      }
      send(res, 200, o);
    } else if (raw.equals("/v1/report/kpi") || raw.equals("/v1/reports/kpi")) {
      need(who, Scopes.READ, m, Method.GET);
      send(res, 200, kpi(inventory.kpi()));
    } else if (raw.equals("/v1/workloads:retire")) {
      need(who, Scopes.POLICY_WRITE, m, Method.POST);
      retire(req, res, who);
    } else if (raw.equals("/v1/owners:depart")) {
      requireMethod(m, Method.POST);
      depart(req, res, who);
    } else {
      throw new NotFoundException("route", raw);
    }
  }

  private void list(ServerRequest req, ServerResponse res) {
    Inventory.Filter filter = new Inventory.Filter(q(req, "kind"), q(req, "owner"), q(req, "team"),
        q(req, "environment"), CredentialType.parse(q(req, "credentialType")));
    int limit = 100;
    if (q(req, "limit") != null) {
      try {
        limit = Math.max(1, Math.min(1000, Integer.parseInt(q(req, "limit"))));
      } catch (NumberFormatException e) {
        throw new ValidationException("limit", "must be a whole number");
      }
    }
    PostureIndex.ItemsPage page = inventory.items(filter, q(req, "cursor"), limit, "true".equals(q(req, "recompute")));
    ArrayNode a = Json.MAPPER.createArrayNode();
    page.items().forEach(i -> a.add(item(i)));
    ObjectNode o = Json.object();
    o.set("items", a);
    if (page.next() != null) {
      o.put("next", page.next());
    }
    send(res, 200, o);
  }

  private void importItems(ServerRequest req, ServerResponse res, AdminPrincipal who) {
    JsonNode b = Json.parse(Bodies.read(req, MAX_IMPORT));
    Importers.Format format = Importers.Format.parse(text(b, "format"));
    String content = text(b, "content");
    if (content == null) {
      throw new BadRequestException("send {\"format\": \"k8s|github-workflow|env|csv|json\", \"content\": \"...\"}");
    }
    JsonNode tree = null;
    if (format == Importers.Format.GITHUB_WORKFLOW) {
      try {
        tree = YAML.readTree(content);
      } catch (JsonProcessingException e) {
        throw new ValidationException("content", "not a YAML workflow (line "
            + (e.getLocation() == null ? 0 : e.getLocation().getLineNr()) + ")");
      }
    }
    Importers.Defaults d = new Importers.Defaults(text(b, "source"), text(b, "owner"), text(b, "team"),
        text(b, "environment"), text(b, "location"));
    Importers.Parsed parsed = Importers.parse(format, content, tree, d, fingerprinter);
    boolean partial = b.path("partial").asBoolean(false);
    InventoryService.ImportResult r = inventory.importItems(parsed, partial, format.wire(), who.actor());
    ObjectNode o = Json.object();
    o.put("imported", r.imported());
    o.put("received", r.received());
    o.put("created", r.created());
    o.put("updated", r.updated());
    o.put("unchanged", r.unchanged());
    o.put("skipped", r.skipped());
    ArrayNode dups = o.putArray("duplicates");
    r.duplicates().forEach(dups::add);
    ArrayNode errs = o.putArray("errors");
    StringBuilder msg = new StringBuilder();
    for (Importers.LineError e : r.errors()) {
      ObjectNode x = errs.addObject();
      x.put("line", e.line());
      x.put("message", e.message());
      msg.append(msg.isEmpty() ? "" : "; ").append("line ").append(e.line()).append(": ").append(e.message());
    }
    if (!r.imported()) {
      o.put("error", "invalid_import");
      o.put("message", r.errors().size() + " bad row(s), nothing imported (send partial=true to import the rest): " + msg);
      send(res, 422, o);
      return;
    }
    send(res, 200, o);
  }

  private void posture(ServerRequest req, ServerResponse res) {
    String severity = q(req, "severity");
    String rule = q(req, "rule");
    var t = thresholds(req);
    int limit = intParam(req, "limit", Integer.MAX_VALUE, 1, 100_000);
    int offset = intParam(req, "offset", 0, 0, Integer.MAX_VALUE);
    PostureIndex.FindingsPage page = inventory.posture(severity, rule, offset, limit, t,
        "true".equals(q(req, "recompute")));
    ObjectNode o = Json.object();
    ArrayNode a = o.putArray("findings");
    page.findings().forEach(f -> a.add(finding(f)));
    o.set("bySeverity", Json.MAPPER.valueToTree(page.bySeverity()));
    o.set("byOwasp", Json.MAPPER.valueToTree(page.byOwasp()));
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
    ArrayNode cidrs = th.putArray("workstationCidrs");
    t.workstationCidrs().forEach(cidrs::add);
    send(res, 200, o);
  }

  private static ObjectNode finding(Finding f) {
    ObjectNode x = Json.object();
    x.put("ruleId", f.ruleId());
    x.put("severity", f.severity().wire());
    x.put("owasp", f.owasp());
    x.put("itemId", f.itemId());
    putOpt(x, "subject", f.subject());
    x.put("evidence", f.evidence());
    x.put("remediation", f.remediation());
    return x;
  }

  private static int intParam(ServerRequest req, String name, int fallback, int min, int max) {
    String v = q(req, name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ValidationException(name, "must be a whole number from " + min + " to " + max);
    }
  }

  /** The configured thresholds with any per-request overrides. */
  private PostureThresholds thresholds(ServerRequest req) {
    PostureThresholds d = inventory.thresholds();
    String cidrs = q(req, "workstationCidrs");
    return new PostureThresholds(days(req, "unusedGrantDays", d.unusedGrant()),
        days(req, "staticMaxAgeDays", d.staticMaxAge()), days(req, "rotationDays", d.rotationInterval()),
        days(req, "staleDays", d.stale()),
        cidrs == null ? d.workstationCidrs() : List.of(cidrs.trim().split("\\s*,\\s*")));
  }

  private static Duration days(ServerRequest req, String name, Duration fallback) {
    String v = q(req, name);
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

  private void maturity(ServerResponse res) {
    Maturity.Report r = Maturity.assess(inventory.facts());
    ObjectNode o = Json.object();
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
    send(res, 200, o);
  }

  private void retire(ServerRequest req, ServerResponse res, AdminPrincipal who) {
    JsonNode b = Json.parse(Bodies.read(req, 64 * 1024));
    String w = text(b, "workload");
    if (w == null) {
      throw new BadRequestException("send {\"workload\": \"spiffe://...\"}");
    }
    InventoryService.RetireResult r = inventory.retire(w, who.actor());
    reloadNow.run();
    ObjectNode o = Json.object();
    o.put("workload", r.workload());
    o.put("previousState", r.previousState());
    o.put("state", "retired");
    strings(o, "revokedLeases", r.revokedLeases());
    strings(o, "disabledPolicies", r.disabledPolicies());
    strings(o, "keptPolicies", r.keptPolicies());
    strings(o, "notRevoked", r.notRevoked());
    o.put("verified", r.verified());
    send(res, 200, o);
  }

  private void depart(ServerRequest req, ServerResponse res, AdminPrincipal who) {
    JsonNode b = Json.parse(Bodies.read(req, 64 * 1024));
    boolean dryRun = b.path("dryRun").asBoolean(false);
    if (!who.has(dryRun ? Scopes.READ : Scopes.POLICY_WRITE)) {
      throw new AuthException(403, "this admin token lacks the '" + (dryRun ? Scopes.READ : Scopes.POLICY_WRITE) + "' scope");
    }
    InventoryService.DepartResult r = inventory.depart(text(b, "owner"), text(b, "reassignTo"),
        b.path("suspend").asBoolean(false), dryRun, who.actor());
    if (r.applied()) {
      reloadNow.run();
    }
    ObjectNode o = Json.object();
    o.put("owner", r.owner());
    o.put("action", r.action());
    putOpt(o, "reassignedTo", r.reassignedTo());
    strings(o, "workloads", r.workloads());
    strings(o, "imported", r.imported());
    strings(o, "revokedLeases", r.revokedLeases());
    o.put("applied", r.applied());
    send(res, 200, o);
  }

  static ObjectNode kpi(Kpi k) {
    return Json.MAPPER.valueToTree(k.fields());
  }

  static ObjectNode item(InventoryItem i) {
    ObjectNode x = Json.object();
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
    x.set("attributes", Json.MAPPER.valueToTree(new TreeMap<>(i.attributes())));
    return x;
  }

  static ObjectNode blastRadius(BlastRadius b) {
    ObjectNode o = Json.object();
    o.put("itemId", b.itemId());
    o.put("subject", b.subject());
    o.put("score", b.score());
    ArrayNode a = o.putArray("reachable");
    for (Grants.Grant g : b.reachable()) {
      ObjectNode x = a.addObject();
      x.put("resource", g.resource());
      x.put("sensitivity", g.sensitivity().name().toLowerCase(java.util.Locale.ROOT));
      x.put("weight", g.weight());
      putOpt(x, "policy", g.policy());
      x.put("path", g.path());
      x.put("conditional", g.conditional());
    }
    return o;
  }

  private static void strings(ObjectNode o, String field, List<String> values) {
    ArrayNode a = o.putArray(field);
    values.forEach(a::add);
  }

  private static void putOpt(ObjectNode o, String f, String v) {
    if (v != null) {
      o.put(f, v);
    }
  }

  private static void putTime(ObjectNode o, String f, Instant t) {
    if (t != null) {
      o.put(f, t.toString());
    }
  }

  private static void need(AdminPrincipal who, String scope, Method m, Method want) {
    if (!who.has(scope)) {
      throw new AuthException(403, "this admin token lacks the '" + scope + "' scope");
    }
    requireMethod(m, want);
  }

  private static void requireMethod(Method m, Method want) {
    if (m != want) {
      throw new BadRequestException(405, "use " + want.text());
    }
  }

  private static String q(ServerRequest req, String name) {
    String v = req.query().first(name).orElse(null);
    return v == null || v.isEmpty() ? null : v;
  }

  private static String text(JsonNode n, String f) {
    JsonNode v = n == null ? null : n.get(f);
    return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("bad percent-encoding in the path");
    }
  }

  private static void send(ServerResponse res, int status, JsonNode body) {
    res.status(status);
    res.header("Content-Type", "application/json");
    res.send(Json.bytes(body));
  }
}
