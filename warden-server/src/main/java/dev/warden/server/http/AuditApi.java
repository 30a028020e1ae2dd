package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditQuery;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.audit.AuditStore;
import dev.warden.server.admin.Scopes;
import java.util.List;

/** {@code GET /v1/audit} (a query, newest first) and {@code GET /v1/audit/chain} (chain order, for verification). */
final class AuditApi implements ApiUnit {
  private final AuditStore audit;

  AuditApi(AuditStore audit) {
    this.audit = audit;
  }

  @Override
  public String group() {
    return "admin";
  }

  @Override
  public boolean owns(String rawPath) {
    return ApiUnit.head(rawPath).equals("audit");
  }

  @Override
  public void routes(RouteTable t) {
    t.path(p -> true).get(Scopes.AUDIT_READ, c -> {
      String tail = ApiUnit.tail(c.rawPath());
      if ("chain".equals(tail)) {
        chain(c);
      } else if (tail == null) {
        query(c);
      } else {
        throw new NotFoundException("route", c.rawPath());
      }
    });
  }

  private void query(Call c) {
    Long before = Params.longParam(c, "before");
    Long limit = Params.longParam(c, "limit");
    AuditQuery q = new AuditQuery(Params.instantParam(c, "from"), Params.instantParam(c, "to"), c.query("workload"),
        c.query("resource"), c.query("outcome"), c.query("type"), before,
        limit == null ? 100 : (int) Math.min(AuditQuery.MAX_LIMIT, limit));
    List<AuditRecord> records = audit.query(q);
    ArrayNode a = Json.MAPPER.createArrayNode();
    records.forEach(r -> a.add(Render.audit(r)));
    ObjectNode o = Json.object();
    o.set("events", a);
    if (records.size() == q.limit()) {
      o.put("next", records.get(records.size() - 1).seq());
    }
    c.send(200, o);
  }

  private void chain(Call c) {
    Long from = Params.longParam(c, "from");
    Long limit = Params.longParam(c, "limit");
    List<AuditRecord> records = audit.readChain(from == null ? 1 : from,
        limit == null ? 1000 : (int) Math.min(5000, limit));
    ArrayNode a = Json.MAPPER.createArrayNode();
    records.forEach(r -> a.add(Render.audit(r)));
    ObjectNode o = Json.object();
    o.set("events", a);
    c.send(200, o);
  }
}
