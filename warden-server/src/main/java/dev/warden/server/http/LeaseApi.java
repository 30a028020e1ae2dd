package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.impact.ImpactService;
import dev.warden.core.lease.LeaseService;
import dev.warden.core.model.Lease;
import dev.warden.server.admin.Scopes;

/**
 * {@code GET /v1/leases?workload=<SPIFFE ID>} and {@code POST /v1/leases/<id>:revoke}; the revoke
 * takes an optional body, {@code {"dryRun": true, "window": "30d"}}, for the impact report of
 * {@link ImpactService} instead (it changes nothing and needs only {@code read}).
 */
final class LeaseApi implements ApiUnit {
  private static final String HINT =
      "use GET /v1/leases?workload=... or POST /v1/leases/<id>:revoke";
  private static final String REVOKE = ":revoke";

  private final LeaseService leases;
  private final ImpactService impact;

  LeaseApi(LeaseService leases, ImpactService impact) {
    this.leases = leases;
    this.impact = impact;
  }

  @Override
  public String group() {
    return "admin";
  }

  @Override
  public boolean owns(String rawPath) {
    return ApiUnit.head(rawPath).equals("leases");
  }

  @Override
  public void routes(RouteTable t) {
    t.path(p -> ApiUnit.tail(p) == null).get(Scopes.READ, this::list).hint(HINT);
    // the scope depends on the body (a dry run only reads), so the handler checks it
    t.path(p -> ApiUnit.tailMatches(p, x -> x.endsWith(REVOKE)))
        .post(null, this::revoke)
        .hint(HINT);
    t.path(p -> true).hint(HINT);
  }

  private void list(Call c) {
    String workload = c.query("workload");
    if (workload == null) {
      throw new BadRequestException("the 'workload' query parameter is required");
    }
    ArrayNode a = HttpJson.MAPPER.createArrayNode();
    for (Lease l : leases.active(workload)) {
      a.add(Render.lease(l));
    }
    ObjectNode o = HttpJson.object();
    o.set("items", a);
    c.send(200, o);
  }

  private void revoke(Call c) {
    String tail = ApiUnit.routedTail(c.rawPath());
    String id = tail.substring(0, tail.length() - REVOKE.length());
    com.fasterxml.jackson.databind.JsonNode b = c.optionalJson(16 * 1024);
    boolean dryRun = b.path("dryRun").asBoolean(false);
    c.need(dryRun ? Scopes.READ : Scopes.POLICY_WRITE);
    if (dryRun) {
      ObjectNode o = ImpactRender.render(impact.revoke(id, ImpactRender.window(b)));
      o.put("id", id);
      o.put("revoked", false);
      c.send(200, o);
      return;
    }
    LeaseService.Revocation r = leases.revoke(id, c.who().actor());
    ObjectNode o = HttpJson.object();
    o.put("id", r.id());
    o.put("revoked", r.revoked());
    c.send(200, o);
  }
}
