package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Durations;
import dev.warden.core.recert.CampaignItem;
import dev.warden.core.recert.RecertService;
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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recertification campaigns: {@code POST /v1/recert/campaigns} (start), {@code GET
 * /v1/recert/campaigns[/{id}]}, {@code POST /v1/recert/campaigns/{id}/decisions}. Reads need
 * {@code read}, changes {@code policy:write}.
 */
public final class RecertApi {
  private static final String BASE = "/v1/recert/campaigns";

  private final AdminTokens adminTokens;
  private final RecertService recert;
  private final Runnable reloadNow;
  private final ServerMetrics metrics;

  public RecertApi(AdminTokens adminTokens, RecertService recert, Runnable reloadNow, ServerMetrics metrics) {
    this.adminTokens = adminTokens;
    this.recert = recert;
    this.reloadNow = reloadNow;
    this.metrics = metrics;
  }

  public static boolean handles(String rawPath) {
    return rawPath.equals(BASE) || rawPath.startsWith(BASE + "/");
  }

  public void handle(ServerRequest req, ServerResponse res) {
    try {
      AdminPrincipal who = adminTokens.authenticate(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
      route(req, res, who);
    } catch (RuntimeException e) {
      Errors.api(res, e);
    }
    metrics.request("recert", res.status().code());
  }

  private void route(ServerRequest req, ServerResponse res, AdminPrincipal who) {
    String raw = req.path().rawPath();
    Method m = req.prologue().method();
    String rest = raw.length() > BASE.length() ? raw.substring(BASE.length() + 1) : "";
    if (rest.isEmpty()) {
      if (m == Method.POST) {
        need(who, Scopes.POLICY_WRITE);
        JsonNode b = Json.parse(Bodies.read(req, 64 * 1024));
        Map<String, String> scope = new LinkedHashMap<>();
        JsonNode s = b.get("scope");
        if (s != null && s.isObject()) {
          s.fields().forEachRemaining(e -> scope.put(e.getKey(), e.getValue().asText()));
        }
        String due = b.path("due").asText("14d");
        String webhook = b.hasNonNull("webhook") ? b.get("webhook").asText() : null;
        RecertService.View v = recert.start(scope, Durations.parse("due", due), webhook, who.actor());
        send(res, 201, render(v));
      } else {
        need(who, Scopes.READ);
        ObjectNode o = Json.object();
        ArrayNode a = o.putArray("campaigns");
        recert.list().forEach(v -> a.add(summary(v)));
        send(res, 200, o);
      }
      return;
    }
    int slash = rest.indexOf('/');
    String id = slash < 0 ? rest : rest.substring(0, slash);
    String tail = slash < 0 ? "" : rest.substring(slash + 1);
    if (tail.isEmpty()) {
      need(who, Scopes.READ);
      send(res, 200, render(recert.view(id)));
    } else if (tail.equals("decisions") && m == Method.POST) {
      need(who, Scopes.POLICY_WRITE);
      JsonNode b = Json.parse(Bodies.read(req, 64 * 1024));
      String workload = b.path("workload").asText(null);
      if (workload == null) {
        throw new ValidationException("workload", "is required (the SPIFFE ID of the campaign item)");
      }
      CampaignItem i = recert.decide(id, workload, b.path("decision").asText(null),
          b.hasNonNull("note") ? b.get("note").asText() : null, who.actor());
      reloadNow.run();
      send(res, 200, item(i));
    } else {
      throw new dev.warden.core.error.NotFoundException("route", URLDecoder.decode(raw, StandardCharsets.UTF_8));
    }
  }

  private static ObjectNode summary(RecertService.View v) {
    ObjectNode o = Json.object();
    o.put("id", v.campaign().id());
    o.set("scope", Json.MAPPER.valueToTree(v.campaign().scope()));
    o.put("createdAt", v.campaign().createdAt().toString());
    o.put("dueAt", v.campaign().dueAt().toString());
    o.put("createdBy", v.campaign().createdBy());
    o.put("state", v.campaign().open() ? "open" : "closed");
    o.put("items", v.items().size());
    o.put("pending", v.pending());
    return o;
  }

  private static ObjectNode render(RecertService.View v) {
    ObjectNode o = summary(v);
    ArrayNode a = o.putArray("workloads");
    v.items().forEach(i -> a.add(item(i)));
    return o;
  }

  private static ObjectNode item(CampaignItem i) {
    ObjectNode e = Json.object();
    e.put("workload", i.workload());
    e.put("owner", i.owner());
    e.put("decision", i.decision().wire());
    if (i.decidedAt() != null) {
      e.put("decidedAt", i.decidedAt().toString());
      e.put("decidedBy", i.decidedBy());
    }
    if (i.note() != null) {
      e.put("note", i.note());
    }
    return e;
  }

  private static void need(AdminPrincipal who, String scope) {
    if (!who.has(scope)) {
      throw new AuthException(403, "this admin token lacks the '" + scope + "' scope");
    }
  }

  private static void send(ServerResponse res, int status, JsonNode body) {
    res.status(status);
    res.header("Content-Type", "application/json");
    res.send(Json.bytes(body));
  }
}
