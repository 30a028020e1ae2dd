package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditQuery;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditStore;
import dev.warden.core.checkpoint.Checkpointer;
import dev.warden.core.checkpoint.SignedCheckpoint;
import dev.warden.core.error.NotFoundException;
import dev.warden.server.admin.Scopes;
import java.util.List;

/**
 * {@code GET /v1/audit} (a query, newest first), {@code GET /v1/audit/chain} (chain order, for
 * verification), {@code GET /v1/audit/chains/<key>} (one chain of delegated actions) and the signed
 * checkpoints of the chain head: {@code GET /v1/audit/checkpoints[/latest]}. Their keys are public,
 * in {@link AuditKeysApi}.
 */
final class AuditApi implements ApiUnit {
  /** The most checkpoints one list returns. */
  static final int MAX_CHECKPOINTS = 1000;

  private final AuditStore audit;
  private final Checkpointer checkpoints;

  AuditApi(AuditStore audit, Checkpointer checkpoints) {
    this.audit = audit;
    this.checkpoints = checkpoints;
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
    t.path(p -> true)
        .get(
            Scopes.AUDIT_READ,
            c -> {
              String tail = ApiUnit.tail(c.rawPath());
              if ("checkpoints".equals(tail)) {
                checkpointList(c);
              } else if ("checkpoints/latest".equals(tail)) {
                checkpointLatest(c);
              } else if ("chain".equals(tail)) {
                chain(c);
              } else if (tail != null
                  && tail.startsWith("chains/")
                  && tail.length() > "chains/".length()) {
                chainOf(c, tail.substring("chains/".length()));
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
    AuditQuery q =
        new AuditQuery(
            Params.instantParam(c, "from"),
            Params.instantParam(c, "to"),
            c.query("workload"),
            c.query("resource"),
            c.query("outcome"),
            c.query("type"),
            before,
            limit == null ? 100 : (int) Math.min(AuditQuery.MAX_LIMIT, limit));
    List<AuditRecord> records = audit.query(q);
    ArrayNode a = HttpJson.MAPPER.createArrayNode();
    records.forEach(r -> a.add(Render.audit(r)));
    ObjectNode o = HttpJson.object();
    o.set("events", a);
    if (records.size() == q.limit()) {
      o.put("next", records.get(records.size() - 1).seq());
    }
    c.send(200, o);
  }

  /** The most hops one chain read returns; a longer chain is cut and says so. */
  static final int MAX_HOPS = 5000;

  /**
   * {@code GET /v1/audit/chains/<txn or root event id>}: every hop of one chain of delegated
   * actions in log order, the tree they form (by previous hop), and whether they verify.
   */
  private void chainOf(Call c, String key) {
    List<AuditRecord> records = audit.chainOf(key, MAX_HOPS + 1);
    if (records.isEmpty()) {
      throw new NotFoundException("chain", key);
    }
    boolean cut = records.size() > MAX_HOPS;
    if (cut) {
      records = records.subList(0, MAX_HOPS);
    }
    records = ChainTree.withAncestors(audit, records);
    ObjectNode o = HttpJson.object();
    o.put("key", key);
    ArrayNode hops = o.putArray("hops");
    records.forEach(r -> hops.add(Render.audit(r)));
    o.set("tree", ChainTree.render(records));
    dev.warden.core.audit.ChainCheck check = dev.warden.core.audit.ChainCheck.of(records);
    o.put("intact", check.intact());
    ArrayNode problems = o.putArray("problems");
    check.problems().forEach(problems::add);
    o.put("truncated", cut);
    c.send(200, o);
  }

  private void checkpointLatest(Call c) {
    SignedCheckpoint latest =
        checkpoints
            .latest()
            .orElseThrow(
                () ->
                    new NotFoundException(
                        "checkpoint",
                        "latest (none signed yet: the first comes one audit.checkpointInterval after the first event)"));
    c.send(200, AuditJson.checkpoint(latest));
  }

  private void checkpointList(Call c) {
    Long limit = Params.longParam(c, "limit");
    ArrayNode a = HttpJson.MAPPER.createArrayNode();
    checkpoints
        .list(limit == null ? 100 : (int) Math.max(1, Math.min(MAX_CHECKPOINTS, limit)))
        .forEach(s -> a.add(AuditJson.checkpoint(s)));
    ObjectNode o = HttpJson.object();
    o.put("chain", checkpoints.chain());
    o.set("checkpoints", a);
    c.send(200, o);
  }

  private void chain(Call c) {
    Long from = Params.longParam(c, "from");
    Long limit = Params.longParam(c, "limit");
    List<AuditRecord> records =
        audit.readChain(
            from == null ? 1 : from, limit == null ? 1000 : (int) Math.min(5000, limit));
    ArrayNode a = HttpJson.MAPPER.createArrayNode();
    records.forEach(r -> a.add(Render.audit(r)));
    ObjectNode o = HttpJson.object();
    o.put("chain", checkpoints.chain());
    o.set("events", a);
    c.send(200, o);
  }
}
