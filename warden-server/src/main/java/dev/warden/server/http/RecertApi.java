package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Durations;
import dev.warden.core.recert.CampaignItem;
import dev.warden.core.recert.RecertService;
import dev.warden.server.admin.Scopes;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recertification campaigns: {@code POST /v1/recert/campaigns} (start), {@code GET
 * /v1/recert/campaigns[/{id}]}, {@code POST /v1/recert/campaigns/{id}/decisions}. Reads need {@code
 * read}, changes {@code policy:write}.
 */
final class RecertApi implements ApiUnit {
  private static final String BASE = "/v1/recert/campaigns";

  private final RecertService recert;
  private final Runnable reloadNow;

  RecertApi(RecertService recert, Runnable reloadNow) {
    this.recert = recert;
    this.reloadNow = reloadNow;
  }

  @Override
  public String group() {
    return "recert";
  }

  @Override
  public boolean owns(String rawPath) {
    return rawPath.equals(BASE) || rawPath.startsWith(BASE + "/");
  }

  @Override
  public void routes(RouteTable t) {
    t.path(p -> rest(p).isEmpty())
        .post(Scopes.POLICY_WRITE, this::start)
        .any(Scopes.READ, this::list);
    t.path(p -> tail(p).isEmpty())
        .any(Scopes.READ, c -> c.send(200, render(recert.view(id(c.rawPath())))));
    // another method on the decisions is an unknown route (404), not a 405
    t.path(p -> tail(p).equals("decisions"))
        .post(Scopes.POLICY_WRITE, this::decide)
        .any(
            null,
            c -> {
              throw notFound(c);
            });
  }

  @Override
  public RuntimeException notFound(Call c) {
    return new NotFoundException("route", URLDecoder.decode(c.rawPath(), StandardCharsets.UTF_8));
  }

  private void start(Call c) {
    JsonNode b = c.json(64 * 1024);
    Map<String, String> scope = new LinkedHashMap<>();
    JsonNode s = b.get("scope");
    if (s != null && s.isObject()) {
      s.fields().forEachRemaining(e -> scope.put(e.getKey(), e.getValue().asText()));
    }
    String due = b.path("due").asText("14d");
    String webhook = b.hasNonNull("webhook") ? b.get("webhook").asText() : null;
    RecertService.View v =
        recert.start(scope, Durations.parse("due", due), webhook, c.who().actor());
    c.send(201, render(v));
  }

  private void list(Call c) {
    ObjectNode o = HttpJson.object();
    ArrayNode a = o.putArray("campaigns");
    recert.list().forEach(v -> a.add(summary(v)));
    c.send(200, o);
  }

  private void decide(Call c) {
    JsonNode b = c.json(64 * 1024);
    String workload = b.path("workload").asText(null);
    if (workload == null) {
      throw new ValidationException("workload", "is required (the SPIFFE ID of the campaign item)");
    }
    CampaignItem i =
        recert.decide(
            id(c.rawPath()),
            workload,
            b.path("decision").asText(null),
            b.hasNonNull("note") ? b.get("note").asText() : null,
            c.who().actor());
    reloadNow.run();
    c.send(200, item(i));
  }

  /** The path below {@code /v1/recert/campaigns/}, still encoded; "" for the collection. */
  private static String rest(String rawPath) {
    return rawPath.length() > BASE.length() ? rawPath.substring(BASE.length() + 1) : "";
  }

  private static String id(String rawPath) {
    String rest = rest(rawPath);
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  private static String tail(String rawPath) {
    String rest = rest(rawPath);
    int slash = rest.indexOf('/');
    return slash < 0 ? "" : rest.substring(slash + 1);
  }

  private static ObjectNode summary(RecertService.View v) {
    ObjectNode o = HttpJson.object();
    o.put("id", v.campaign().id());
    o.set("scope", HttpJson.MAPPER.valueToTree(v.campaign().scope()));
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
    ObjectNode e = HttpJson.object();
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
}
