package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.lease.Lease;
import dev.warden.core.lease.LeaseService;
import dev.warden.server.admin.Scopes;

/** {@code GET /v1/leases?workload=<SPIFFE ID>} and {@code POST /v1/leases/<id>:revoke}. */
final class LeaseApi implements ApiUnit {
  private static final String HINT = "use GET /v1/leases?workload=... or POST /v1/leases/<id>:revoke";
  private static final String REVOKE = ":revoke";

  private final LeaseService leases;

  LeaseApi(LeaseService leases) {
    this.leases = leases;
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
    t.path(p -> ApiUnit.tail(p).endsWith(REVOKE)).post(Scopes.POLICY_WRITE, this::revoke).hint(HINT);
    t.path(p -> true).hint(HINT);
  }

  private void list(Call c) {
    String workload = c.query("workload");
    if (workload == null) {
      throw new BadRequestException("the 'workload' query parameter is required");
    }
    ArrayNode a = Json.MAPPER.createArrayNode();
    for (Lease l : leases.active(workload)) {
      a.add(Render.lease(l));
    }
    ObjectNode o = Json.object();
    o.set("items", a);
    c.send(200, o);
  }

  private void revoke(Call c) {
    String tail = ApiUnit.tail(c.rawPath());
    LeaseService.Revocation r = leases.revoke(tail.substring(0, tail.length() - REVOKE.length()), c.who().actor());
    ObjectNode o = Json.object();
    o.put("id", r.id());
    o.put("revoked", r.revoked());
    c.send(200, o);
  }
}
