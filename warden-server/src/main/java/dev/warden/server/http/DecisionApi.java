package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Explanation;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.server.admin.Scopes;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/** {@code POST /v1/decisions:explain}: what the current policies decide for a workload and a resource, and why. */
final class DecisionApi implements ApiUnit {
  private static final int MAX_BODY = 4 * 1024 * 1024;

  private final Supplier<PolicySnapshot> policies;
  private final Clock clock;

  DecisionApi(Supplier<PolicySnapshot> policies, Clock clock) {
    this.policies = policies;
    this.clock = clock;
  }

  @Override
  public String group() {
    return "admin";
  }

  @Override
  public boolean owns(String rawPath) {
    return ApiUnit.head(rawPath).equals("decisions:explain");
  }

  @Override
  public void routes(RouteTable t) {
    t.path(p -> true).post(Scopes.READ, this::explain);
  }

  private void explain(Call c) {
    JsonNode b = c.json(MAX_BODY);
    String wid = Params.text(b, "workload");
    String target = Params.text(b, "resource");
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
    ExplainRequest request = ExplainRequest.parse(b, TokenEndpoint.address(c.req().remotePeer().address()),
        clock.instant(), w.name(), snap::party);
    Explanation x = snap.explain(w, r, request.context());
    ObjectNode o = Render.explanation(x);
    ExplainRequest.Refusal refusal = request.refusal(w, x.decision());
    if (refusal != null) {
      // the token endpoint refuses this before or after the policy decision: say what it would say
      ObjectNode d = (ObjectNode) o.get("decision");
      d.put("allowed", false);
      d.put("reason", refusal.reason().code());
      d.put("message", refusal.message());
      d.remove(List.of("maxTtl", "credentialKind"));
    }
    o.set("request", request.render());
    o.put("workload", w.name());
    o.put("resource", r.name());
    c.send(200, o);
  }
}
