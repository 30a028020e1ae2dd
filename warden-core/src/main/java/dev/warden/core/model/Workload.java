package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.time.Instant;
import java.util.Set;

/**
 * Software that acts, named by its SPIFFE ID and identified by selectors: every selector here must
 * be among the attested selectors of a request for the request to be this workload.
 *
 * @param expiresAt when the identity stops being valid; null means no expiry (a posture finding)
 */
public record Workload(
    SpiffeId spiffeId,
    Set<Selector> selectors,
    String owner,
    String team,
    String environment,
    WorkloadState state,
    Instant expiresAt,
    String description) implements Named {

  public Workload {
    if (spiffeId == null) {
      throw new ValidationException("spiffeId", "is required");
    }
    if (selectors == null || selectors.isEmpty()) {
      throw new ValidationException("selectors",
          "at least one selector is required (a workload with none would match any evidence)");
    }
    selectors = Set.copyOf(selectors);
    Names.required("owner", owner);
    if (state == null) {
      state = WorkloadState.ACTIVE;
    }
  }

  @Override
  public String name() {
    return spiffeId.toString();
  }

  /** True when this workload's selectors are all among {@code attested}. */
  public boolean matches(Set<Selector> attested) {
    return attested.containsAll(selectors);
  }

  public Workload withState(WorkloadState newState) {
    return new Workload(spiffeId, selectors, owner, team, environment, newState, expiresAt, description);
  }
}
