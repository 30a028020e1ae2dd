package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.crypto.Secret;
import dev.warden.core.database.DatabaseTargets;
import dev.warden.core.database.LeaseReaper;
import dev.warden.core.error.ValidationException;
import dev.warden.core.lease.LeaseState;
import dev.warden.core.lease.TargetLease;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.server.ServerMetrics;
import dev.warden.server.admin.AdminPrincipal;
import dev.warden.server.admin.AdminTokens;
import dev.warden.server.admin.AuthException;
import dev.warden.server.admin.Scopes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Iterator;

/**
 * Admin routes of dynamic database users: {@code GET /v1/target-secrets} (names and fingerprints,
 * never values), {@code PUT /v1/target-secrets/<name>} with {@code {"value": "..."}} (write-only;
 * checked against every resource using it before it is stored), {@code POST
 * /v1/target-secrets/<name>:rotate}, {@code GET /v1/database-leases[?state=...]} (the lifecycle of
 * issued users, irrevocable ones included), {@code POST /v1/database-leases:reap} (run the reaper
 * and the orphan sweep now) and {@code POST /v1/database-leases/<id>:forget} with {@code {"reason":
 * "..."}} (force-forget an irrevocable one). Reads need {@code read}, changes {@code policy:write}.
 */
public final class DatabaseApi {
  static final String SECRETS = "/v1/target-secrets";
  static final String LEASES = "/v1/database-leases";
  private static final int MAX_BODY = 16 * 1024;

  private final AdminTokens adminTokens;
  private final DatabaseTargets targets;
  private final TargetLeaseStore leases;
  private final LeaseReaper reaper;
  private final ServerMetrics metrics;

  public DatabaseApi(
      AdminTokens adminTokens,
      DatabaseTargets targets,
      TargetLeaseStore leases,
      LeaseReaper reaper,
      ServerMetrics metrics) {
    this.adminTokens = adminTokens;
    this.targets = targets;
    this.leases = leases;
    this.reaper = reaper;
    this.metrics = metrics;
  }

  public static boolean handles(String rawPath) {
    return rawPath.equals(SECRETS)
        || rawPath.startsWith(SECRETS + "/")
        || rawPath.equals(LEASES)
        || rawPath.equals(LEASES + ":reap")
        || rawPath.startsWith(LEASES + "/");
  }

  public void handle(ServerRequest req, ServerResponse res) {
    try {
      AdminPrincipal who =
          adminTokens.authenticate(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
      route(req, res, who);
    } catch (RuntimeException e) {
      Errors.api(res, e);
    }
    metrics.request("database", res.status().code());
  }

  private void route(ServerRequest req, ServerResponse res, AdminPrincipal who) {
    String raw = req.path().rawPath();
    Method m = req.prologue().method();
    if (raw.equals(LEASES)) {
      if (m != Method.GET) {
        throw new BadRequestException(
            405, "use GET on " + LEASES + "[?state=issuing|active|revoking|revoked|irrevocable]");
      }
      need(who, Scopes.READ);
      listLeases(req, res);
      return;
    }
    if (raw.equals(LEASES + ":reap")) {
      if (m != Method.POST) {
        throw new BadRequestException(405, "use POST on " + LEASES + ":reap");
      }
      need(who, Scopes.POLICY_WRITE);
      LeaseReaper.Outcome o = reaper.sweep();
      ObjectNode b = HttpJson.object();
      b.put("expired", o.expired());
      b.put("abandoned", o.abandoned());
      b.put("removed", o.removed());
      b.put("failed", o.failed());
      b.put("irrevocable", o.irrevocable());
      b.put("orphans", o.orphans());
      send(res, 200, b);
      return;
    }
    if (raw.startsWith(LEASES + "/")) {
      String id = raw.substring(LEASES.length() + 1);
      if (!id.endsWith(":forget") || id.length() == ":forget".length()) {
        throw new BadRequestException(
            404,
            "the only action on one database lease is POST "
                + LEASES
                + "/<id>:forget with {\"reason\": \"...\"}");
      }
      if (m != Method.POST) {
        throw new BadRequestException(405, "use POST on " + LEASES + "/<id>:forget");
      }
      need(who, Scopes.POLICY_WRITE);
      JsonNode body = HttpJson.parse(Bodies.read(req, MAX_BODY));
      JsonNode reason = body.path("reason");
      TargetLease l =
          reaper.forget(
              id.substring(0, id.length() - ":forget".length()),
              reason.isTextual() ? reason.asText() : null,
              who.actor());
      ObjectNode b = HttpJson.object();
      b.put("id", l.id());
      b.put("forgotten", true);
      b.put("state", LeaseState.REVOKED.wire());
      send(res, 200, b);
      return;
    }
    String name = raw.length() > SECRETS.length() + 1 ? raw.substring(SECRETS.length() + 1) : null;
    if (name == null) {
      if (m != Method.GET) {
        throw new BadRequestException(405, "use GET on " + SECRETS);
      }
      need(who, Scopes.READ);
      ArrayNode items = HttpJson.MAPPER.createArrayNode();
      targets.list().forEach(i -> items.add(info(i)));
      ObjectNode o = HttpJson.object();
      o.set("items", items);
      send(res, 200, o);
    } else if (name.endsWith(":rotate")) {
      if (m != Method.POST) {
        throw new BadRequestException(405, "use POST on " + SECRETS + "/<name>:rotate");
      }
      need(who, Scopes.POLICY_WRITE);
      send(
          res,
          200,
          info(targets.rotate(name.substring(0, name.length() - ":rotate".length()), who.actor())));
    } else {
      if (m != Method.PUT) {
        throw new BadRequestException(
            405, "use PUT on " + SECRETS + "/<name> with {\"value\": \"...\"}");
      }
      need(who, Scopes.POLICY_WRITE);
      Secret value = value(HttpJson.parse(Bodies.read(req, MAX_BODY)));
      send(res, 200, info(targets.set(name, value, who.actor())));
    }
  }

  private void listLeases(ServerRequest req, ServerResponse res) {
    String stateText = req.query().first("state").orElse(null);
    LeaseState state = null;
    if (stateText != null && !stateText.isEmpty()) {
      try {
        state = LeaseState.fromWire(stateText);
      } catch (IllegalArgumentException e) {
        throw new ValidationException("state", Errors.printable(String.valueOf(e.getMessage())));
      }
    }
    String limitText = req.query().first("limit").orElse("100");
    int limit;
    try {
      limit = Integer.parseInt(limitText);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > 1000) {
      throw new ValidationException("limit", "must be a whole number from 1 to 1000");
    }
    ArrayNode items = HttpJson.MAPPER.createArrayNode();
    for (TargetLease l : leases.list(state, limit)) {
      ObjectNode o = items.addObject();
      o.put("id", l.id());
      o.put("state", l.state().wire());
      o.put("workload", l.lease().workload());
      o.put("resource", l.lease().resource());
      o.put("issuedAt", l.lease().issuedAt().toString());
      o.put("expiresAt", l.lease().expiresAt().toString());
      if (l.lease().revokedAt() != null) {
        o.put("revokedAt", l.lease().revokedAt().toString());
        o.put("revokeReason", l.lease().revokeReason());
      }
      if (l.removedAt() != null) {
        o.put("removedAt", l.removedAt().toString());
      }
      if (l.removalAttempts() > 0) {
        o.put("removalAttempts", l.removalAttempts());
        o.put("removalError", l.removalError());
      }
      if (l.removalDue() != null) {
        o.put("nextAttempt", l.removalDue().toString());
      }
      o.put("fingerprint", l.lease().fingerprint());
    }
    ObjectNode b = HttpJson.object();
    b.set("items", items);
    ObjectNode counts = b.putObject("counts");
    reaper.counts().forEach((k, v) -> counts.put(k.wire(), v));
    send(res, 200, b);
  }

  /**
   * The write-only body {@code {"value": "<secret>"}}: exactly that field, a string.
   *
   * @throws ValidationException otherwise, never quoting what was sent
   */
  static Secret value(JsonNode body) {
    if (!body.isObject()) {
      throw new ValidationException("", "send {\"value\": \"<secret>\"}");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("value")) {
        throw new ValidationException(
            Errors.printable(f.length() > 64 ? f.substring(0, 64) : f),
            "unknown field; send only {\"value\": \"<secret>\"}");
      }
    }
    JsonNode v = body.get("value");
    if (v == null || !v.isTextual()) {
      throw new ValidationException("value", "is required and must be a string");
    }
    return Secret.of(v.asText());
  }

  private static ObjectNode info(DatabaseTargets.SecretInfo i) {
    ObjectNode o = HttpJson.object();
    o.put("name", i.name());
    o.put("fingerprint", i.fingerprint());
    o.put("version", i.version());
    o.put("updatedAt", i.updatedAt().toString());
    o.put("updatedBy", i.updatedBy());
    ArrayNode a = o.putArray("usedBy");
    i.usedBy().forEach(a::add);
    return o;
  }

  private static void need(AdminPrincipal who, String scope) {
    if (!who.has(scope)) {
      throw new AuthException(403, "this admin token lacks the '" + scope + "' scope");
    }
  }

  private static void send(ServerResponse res, int status, JsonNode body) {
    res.status(status);
    res.header("Content-Type", "application/json");
    res.header("Cache-Control", "no-store");
    res.send(HttpJson.bytes(body));
  }
}
