package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.admin.AdminToken;
import dev.warden.core.audit.AuditQuery;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.config.Change;
import dev.warden.core.config.ConfigService;
import dev.warden.core.document.Documents;
import dev.warden.core.document.Kind;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.lease.Lease;
import dev.warden.core.lease.LeakService;
import dev.warden.core.lease.LeaseService;
import dev.warden.core.model.Durations;
import dev.warden.core.model.Named;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Explanation;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.policy.RequestContext;
import dev.warden.core.store.AuditStore;
import dev.warden.core.store.Versioned;
import dev.warden.core.token.KeyManager;
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
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The admin REST API under {@code /v1}. Every call is authenticated with an admin token and
 * checked for a scope before anything else; handlers parse, call core, and render.
 */
public final class AdminApi {
  private static final int MAX_BODY = 4 * 1024 * 1024;

  private final AdminTokens adminTokens;
  private final ConfigService config;
  private final Supplier<PolicySnapshot> policies;
  private final AuditStore auditStore;
  private final LeaseService leases;
  private final Keys keys;
  private final LeakService leaks;
  private final byte[] fingerprintKey;
  private final String fingerprintKeyId;
  private final Runnable reloadNow;
  private final ServerMetrics metrics;
  private final Clock clock;
  private final java.util.function.BiFunction<Kind, String, String> disabledReason;

  /** The signing keys of each purpose, listed and rotated through {@code /v1/keys}. */
  public record Keys(KeyManager accessTokens, KeyManager jwtSvids) {
    public Keys {
      if (accessTokens.purpose() != KeyPurpose.ACCESS_TOKEN || jwtSvids.purpose() != KeyPurpose.JWT_SVID) {
        throw new IllegalArgumentException("access-token keys first, JWT-SVID keys second");
      }
    }

    KeyManager of(KeyPurpose p) {
      return p == KeyPurpose.ACCESS_TOKEN ? accessTokens : jwtSvids;
    }
  }

  /** @param disabledReason why a stored object is disabled (it no longer compiles), or null when it works */
  public AdminApi(AdminTokens adminTokens, ConfigService config, Supplier<PolicySnapshot> policies,
      AuditStore auditStore, LeaseService leases, Keys keys, LeakService leaks, byte[] fingerprintKey,
      String fingerprintKeyId, Runnable reloadNow, ServerMetrics metrics, Clock clock,
      java.util.function.BiFunction<Kind, String, String> disabledReason) {
    this.adminTokens = adminTokens;
    this.config = config;
    this.policies = policies;
    this.auditStore = auditStore;
    this.leases = leases;
    this.keys = keys;
    this.leaks = leaks;
    this.fingerprintKey = fingerprintKey.clone();
    this.fingerprintKeyId = fingerprintKeyId;
    this.reloadNow = reloadNow;
    this.metrics = metrics;
    this.clock = clock;
    this.disabledReason = disabledReason;
  }

  public void handle(ServerRequest req, ServerResponse res) {
    try {
      AdminPrincipal who = adminTokens.authenticate(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
      route(req, res, who);
    } catch (RuntimeException e) {
      Errors.api(res, e);
    }
    metrics.request("admin", res.status().code());
  }

  private void route(ServerRequest req, ServerResponse res, AdminPrincipal who) {
    String raw = req.path().rawPath();
    String rest = raw.length() > 4 ? raw.substring(4) : "";
    Method m = req.prologue().method();
    int slash = rest.indexOf('/');
    String head = slash < 0 ? rest : rest.substring(0, slash);
    String tail = slash < 0 ? null : decode(rest.substring(slash + 1));
    switch (head) {
      case "whoami" -> {
        ObjectNode o = Json.object();
        o.put("tokenId", who.tokenId());
        o.put("name", who.name());
        ArrayNode s = o.putArray("scopes");
        who.scopes().stream().sorted().forEach(s::add);
        send(res, 200, o);
      }
      case "apply" -> {
        requireMethod(m, Method.POST);
        need(who, Scopes.POLICY_WRITE);
        apply(req, res, who);
      }
      case "decisions:explain" -> {
        requireMethod(m, Method.POST);
        need(who, Scopes.READ);
        explain(req, res);
      }
      case "audit" -> {
        requireMethod(m, Method.GET);
        need(who, Scopes.AUDIT_READ);
        if ("chain".equals(tail)) {
          auditChain(req, res);
        } else if (tail == null) {
          auditQuery(req, res);
        } else {
          throw new NotFoundException("route", raw);
        }
      }
      case "admin-tokens" -> adminTokenRoutes(req, res, who, m, tail);
      case "keys" -> {
        requireMethod(m, Method.GET);
        need(who, Scopes.READ);
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (KeyPurpose p : KeyPurpose.values()) {
          for (SigningKeyRecord k : keys.of(p).list()) {
            a.add(Render.key(k));
          }
        }
        ObjectNode o = Json.object();
        o.set("keys", a);
        send(res, 200, o);
      }
      case "keys:rotate" -> {
        requireMethod(m, Method.POST);
        need(who, Scopes.KEYS_MANAGE);
        boolean immediate = "true".equals(req.query().first("immediate").orElse("false"));
        KeyPurpose purpose = KeyPurpose.parse("purpose", req.query().first("purpose")
            .orElse(KeyPurpose.ACCESS_TOKEN.wire()));
        KeyManager.RotationResult r = keys.of(purpose).rotate(immediate, who.actor());
        ObjectNode o = Json.object();
        o.put("purpose", purpose.wire());
        o.put("kid", r.newKid());
        o.put("state", r.newState().name().toLowerCase(java.util.Locale.ROOT));
        if (r.retiredKid() != null) {
          o.put("retired", r.retiredKid());
        }
        send(res, 200, o);
      }
      case "leases" -> leaseRoutes(req, res, who, m, tail);
      case "scan" -> {
        if (!"fingerprint-key".equals(tail)) {
          throw new NotFoundException("route", raw);
        }
        requireMethod(m, Method.GET);
        need(who, Scopes.SCAN_REPORT);
        ObjectNode o = Json.object();
        o.put("key", Base64.getUrlEncoder().withoutPadding().encodeToString(fingerprintKey));
        o.put("keyId", fingerprintKeyId);
        res.header("Cache-Control", "no-store");
        send(res, 200, o);
      }
      case "leaks" -> {
        requireMethod(m, Method.POST);
        need(who, Scopes.SCAN_REPORT);
        reportLeaks(req, res, who);
      }
      default -> {
        Kind kind = kindOrNull(head);
        if (kind == null) {
          throw new NotFoundException("route", raw);
        }
        objectRoutes(req, res, who, m, kind, tail);
      }
    }
  }

  private void objectRoutes(ServerRequest req, ServerResponse res, AdminPrincipal who, Method m, Kind kind,
      String name) {
    if (name == null || name.isEmpty()) {
      requireMethod(m, Method.GET);
      need(who, Scopes.READ);
      ArrayNode items = Json.MAPPER.createArrayNode();
      for (Versioned<Named> v : config.list(kind)) {
        items.add(Render.object(v, disabledReason.apply(kind, v.value().name())));
      }
      ObjectNode o = Json.object();
      o.set("items", items);
      send(res, 200, o);
      return;
    }
    if (m == Method.GET) {
      need(who, Scopes.READ);
      if ("true".equals(req.query().first("history").orElse("false"))) {
        ArrayNode items = Json.MAPPER.createArrayNode();
        for (Versioned<Named> v : config.history(kind, name)) {
          ObjectNode o = Json.object();
          o.put("version", v.version());
          o.put("updatedAt", v.updatedAt().toString());
          o.put("updatedBy", v.updatedBy());
          if (v.value() == null) {
            o.put("deleted", true);
          } else {
            o.set("spec", Documents.toSpec(v.value()));
          }
          items.add(o);
        }
        ObjectNode o = Json.object();
        o.set("history", items);
        send(res, 200, o);
        return;
      }
      Versioned<Named> v = config.get(kind, name).orElseThrow(() -> new NotFoundException(kind.wire(), name));
      send(res, 200, Render.object(v, disabledReason.apply(kind, name)));
    } else if (m == Method.PUT) {
      need(who, Scopes.POLICY_WRITE);
      Named doc = Documents.parse(Json.parse(Bodies.read(req, MAX_BODY)));
      if (Documents.kindOf(doc) != kind || !doc.name().equals(name)) {
        throw new ValidationException("metadata.name", "the document must be a " + kind.wire() + " named '" + name + "'");
      }
      List<Change> changes = config.apply(List.of(doc), dryRun(req), who.actor());
      reloadNow.run();
      send(res, 200, Render.change(changes.get(0)));
    } else if (m == Method.DELETE) {
      need(who, Scopes.POLICY_WRITE);
      Change c = config.delete(kind, name, dryRun(req), who.actor());
      reloadNow.run();
      send(res, 200, Render.change(c));
    } else {
      throw new BadRequestException(405, "use GET, PUT or DELETE on /v1/" + kind.plural() + "/<name>");
    }
  }

  private void apply(ServerRequest req, ServerResponse res, AdminPrincipal who) {
    JsonNode body = Json.parse(Bodies.read(req, MAX_BODY));
    JsonNode docs = body.isArray() ? body : body.get("documents");
    if (docs == null || !docs.isArray()) {
      throw new BadRequestException("send {\"documents\": [...]} or a JSON array of documents");
    }
    List<Named> parsed = new ArrayList<>();
    int i = 0;
    for (JsonNode d : docs) {
      try {
        parsed.add(Documents.parse(d));
      } catch (ValidationException e) {
        throw new ValidationException("documents[" + i + "]" + (e.field() == null || e.field().isEmpty() ? "" : "." + e.field()),
            e.getMessage().startsWith(e.field() + ": ") ? e.getMessage().substring(e.field().length() + 2) : e.getMessage());
      }
      i++;
    }
    List<Change> changes = config.apply(parsed, dryRun(req), who.actor());
    reloadNow.run();
    ArrayNode a = Json.MAPPER.createArrayNode();
    changes.forEach(c -> a.add(Render.change(c)));
    ObjectNode o = Json.object();
    o.put("dryRun", dryRun(req));
    o.set("changes", a);
    send(res, 200, o);
  }

  private void explain(ServerRequest req, ServerResponse res) {
    JsonNode b = Json.parse(Bodies.read(req, MAX_BODY));
    String wid = text(b, "workload");
    String target = text(b, "resource");
    if (wid == null || target == null) {
      throw new BadRequestException("send {\"workload\": \"spiffe://...\", \"resource\": \"<name or audience>\"}");
    }
    PolicySnapshot snap = policies.get();
    Workload w = snap.workload(wid);
    if (w == null) {
      throw new NotFoundException("Workload", wid);
    }
    Resource r = snap.resource(target);
    if (r == null) {
      r = snap.resourceByAudience(target);
    }
    if (r == null) {
      throw new NotFoundException("Resource", target);
    }
    Instant time = clock.instant();
    if (text(b, "time") != null) {
      try {
        time = Instant.parse(text(b, "time"));
      } catch (DateTimeParseException e) {
        throw new ValidationException("time", "must be an RFC 3339 UTC time such as 2027-01-31T09:00:00Z");
      }
    }
    Map<String, Object> claims = b.has("claims") && b.get("claims").isObject()
        ? Json.MAPPER.convertValue(b.get("claims"), Map.class) : Map.of();
    List<String> scopes = new ArrayList<>();
    if (text(b, "scope") != null) {
      scopes.addAll(List.of(text(b, "scope").trim().split(" +")));
    }
    RequestContext ctx = new RequestContext(time, text(b, "sourceAddress"), claims, scopes, List.of());
    Explanation x = snap.explain(w, r, ctx);
    ObjectNode o = Render.explanation(x);
    o.put("workload", w.name());
    o.put("resource", r.name());
    send(res, 200, o);
  }

  private void auditQuery(ServerRequest req, ServerResponse res) {
    Long before = longParam(req, "before");
    int limit = longParam(req, "limit") == null ? 100 : (int) Math.min(AuditQuery.MAX_LIMIT, longParam(req, "limit"));
    AuditQuery q = new AuditQuery(instantParam(req, "from"), instantParam(req, "to"),
        req.query().first("workload").orElse(null), req.query().first("resource").orElse(null),
        req.query().first("outcome").orElse(null), req.query().first("type").orElse(null), before, limit);
    List<AuditRecord> records = auditStore.query(q);
    ArrayNode a = Json.MAPPER.createArrayNode();
    records.forEach(r -> a.add(Render.audit(r)));
    ObjectNode o = Json.object();
    o.set("events", a);
    if (records.size() == q.limit()) {
      o.put("next", records.get(records.size() - 1).seq());
    }
    send(res, 200, o);
  }

  private void auditChain(ServerRequest req, ServerResponse res) {
    Long from = longParam(req, "from");
    Long limit = longParam(req, "limit");
    List<AuditRecord> records = auditStore.readChain(from == null ? 1 : from,
        limit == null ? 1000 : (int) Math.min(5000, limit));
    ArrayNode a = Json.MAPPER.createArrayNode();
    records.forEach(r -> a.add(Render.audit(r)));
    ObjectNode o = Json.object();
    o.set("events", a);
    send(res, 200, o);
  }

  private void adminTokenRoutes(ServerRequest req, ServerResponse res, AdminPrincipal who, Method m, String id) {
    need(who, Scopes.TOKENS_MANAGE);
    if (id == null && m == Method.GET) {
      ArrayNode a = Json.MAPPER.createArrayNode();
      for (AdminToken t : adminTokens.list()) {
        a.add(Render.adminToken(t));
      }
      ObjectNode o = Json.object();
      o.set("items", a);
      send(res, 200, o);
    } else if (id == null && m == Method.POST) {
      JsonNode b = Json.parse(Bodies.read(req, 64 * 1024));
      Set<String> scopes = new HashSet<>();
      JsonNode s = b.get("scopes");
      if (s != null && s.isArray()) {
        s.forEach(x -> scopes.add(x.asText()));
      } else if (s != null && s.isTextual()) {
        scopes.addAll(List.of(s.asText().split("[ ,]+")));
      }
      if (!who.has(Scopes.ADMIN) && !who.scopes().containsAll(scopes)) {
        throw new AuthException(403, "a token can only create tokens with scopes it holds itself");
      }
      AdminTokens.Issued issued = adminTokens.create(text(b, "name"), scopes,
          Durations.parse("ttl", text(b, "ttl")), who.actor());
      ObjectNode o = Render.adminToken(issued.token());
      o.put("token", issued.secret().reveal());
      res.header("Cache-Control", "no-store");
      send(res, 201, o);
    } else if (id != null && m == Method.DELETE) {
      if (!adminTokens.revoke(id, who.actor())) {
        throw new NotFoundException("admin token (active)", id);
      }
      ObjectNode o = Json.object();
      o.put("id", id);
      o.put("revoked", true);
      send(res, 200, o);
    } else {
      throw new BadRequestException(405, "use GET or POST on /v1/admin-tokens and DELETE on /v1/admin-tokens/<id>");
    }
  }

  private void leaseRoutes(ServerRequest req, ServerResponse res, AdminPrincipal who, Method m, String tail) {
    if (tail == null && m == Method.GET) {
      need(who, Scopes.READ);
      String workload = req.query().first("workload").orElseThrow(
          () -> new BadRequestException("the 'workload' query parameter is required"));
      ArrayNode a = Json.MAPPER.createArrayNode();
      for (Lease l : leases.active(workload)) {
        a.add(Render.lease(l));
      }
      ObjectNode o = Json.object();
      o.set("items", a);
      send(res, 200, o);
    } else if (tail != null && tail.endsWith(":revoke") && m == Method.POST) {
      need(who, Scopes.POLICY_WRITE);
      LeaseService.Revocation r = leases.revoke(tail.substring(0, tail.length() - ":revoke".length()), who.actor());
      ObjectNode o = Json.object();
      o.put("id", r.id());
      o.put("revoked", r.revoked());
      send(res, 200, o);
    } else {
      throw new BadRequestException(405, "use GET /v1/leases?workload=... or POST /v1/leases/<id>:revoke");
    }
  }

  private void reportLeaks(ServerRequest req, ServerResponse res, AdminPrincipal who) {
    JsonNode b = Json.parse(Bodies.read(req, MAX_BODY));
    JsonNode fs = b.get("findings");
    if (fs == null || !fs.isArray()) {
      throw new BadRequestException("send {\"source\": \"...\", \"findings\": [{\"fingerprint\": \"<hex>\", ...}]}");
    }
    List<LeakService.Finding> findings = new ArrayList<>();
    for (JsonNode f : fs) {
      String fp = text(f, "fingerprint");
      if (fp == null || !fp.matches("[0-9a-f]{64}")) {
        throw new ValidationException("findings.fingerprint", "must be 64 lowercase hex characters (HMAC-SHA256)");
      }
      findings.add(new LeakService.Finding(fp, text(f, "ruleId"), text(f, "path"),
          f.has("line") && f.get("line").canConvertToInt() ? f.get("line").asInt() : null, text(f, "commit")));
    }
    LeakService.Result r = leaks.report(text(b, "source"), findings, who.actor());
    ObjectNode o = Json.object();
    o.put("received", r.received());
    ArrayNode a = o.putArray("matched");
    for (LeakService.Match mt : r.matched()) {
      ObjectNode x = a.addObject();
      x.put("fingerprint", mt.fingerprint());
      x.put("leaseId", mt.leaseId());
      x.put("revoked", mt.revoked());
      if (mt.workload() != null) {
        x.put("workload", mt.workload());
      }
    }
    o.put("unmatched", r.unmatched());
    send(res, 200, o);
  }

  private static Kind kindOrNull(String s) {
    try {
      return Kind.parse(s);
    } catch (ValidationException e) {
      return null;
    }
  }

  private static void need(AdminPrincipal who, String scope) {
    if (!who.has(scope)) {
      throw new AuthException(403, "this admin token lacks the '" + scope + "' scope");
    }
  }

  private static void requireMethod(Method m, Method want) {
    if (m != want) {
      throw new BadRequestException(405, "use " + want.text());
    }
  }

  private static boolean dryRun(ServerRequest req) {
    return "true".equals(req.query().first("dryRun").orElse("false"));
  }

  private static String text(JsonNode n, String f) {
    JsonNode v = n == null ? null : n.get(f);
    return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
  }

  private static Long longParam(ServerRequest req, String name) {
    String v = req.query().first(name).orElse(null);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new ValidationException(name, "must be a whole number");
    }
  }

  private static Instant instantParam(ServerRequest req, String name) {
    String v = req.query().first(name).orElse(null);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new ValidationException(name, "must be an RFC 3339 UTC time such as 2027-01-31T09:00:00Z");
    }
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
