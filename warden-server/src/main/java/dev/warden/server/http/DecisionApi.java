package dev.warden.server.http;

import dev.warden.core.policy.PolicySnapshot;
import dev.warden.server.admin.Scopes;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * {@code POST /v1/decisions:explain}: what the current policies decide for a workload and a
 * resource, and why.
 */
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
    c.send(
        200,
        Decisions.explain(
            policies.get(),
            c.json(MAX_BODY),
            TokenEndpoint.address(c.req().remotePeer().address()),
            clock.instant()));
  }
}
