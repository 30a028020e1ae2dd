package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Software that acts, named by its SPIFFE ID and identified by selectors: every selector here must
 * be among the attested selectors of a request for the request to be this workload.
 *
 * @param expiresAt when the identity stops being valid; null means no expiry (a posture finding)
 * @param nodeSelectors which agents may serve this workload its SVIDs: an agent whose node
 *     attestation yielded all of these; empty means no agent may (the workload then authenticates
 *     only with platform evidence at the token endpoint)
 */
public record Workload(
    SpiffeId spiffeId,
    Set<Selector> selectors,
    String owner,
    @Nullable String team,
    @Nullable String environment,
    WorkloadState state,
    @Nullable Instant expiresAt,
    @Nullable String description,
    Set<Selector> nodeSelectors)
    implements Named {

  public Workload(
      SpiffeId spiffeId,
      Set<Selector> selectors,
      String owner,
      @Nullable String team,
      @Nullable String environment,
      WorkloadState state,
      @Nullable Instant expiresAt,
      @Nullable String description) {
    this(spiffeId, selectors, owner, team, environment, state, expiresAt, description, Set.of());
  }

  public Workload {
    if (spiffeId == null) {
      throw new ValidationException("spiffeId", "is required");
    }
    if (selectors == null || selectors.isEmpty()) {
      throw new ValidationException(
          "selectors",
          "at least one selector is required (a workload with none would match any evidence)");
    }
    selectors = Set.copyOf(selectors);
    nodeSelectors = nodeSelectors == null ? Set.of() : Set.copyOf(nodeSelectors);
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
    return new Workload(
        spiffeId,
        selectors,
        owner,
        team,
        environment,
        newState,
        expiresAt,
        description,
        nodeSelectors);
  }

  /** True when an agent that attested {@code agentSelectors} may serve this workload. */
  public boolean servableBy(Set<Selector> agentSelectors) {
    return !nodeSelectors.isEmpty() && agentSelectors.containsAll(nodeSelectors);
  }
}
