package dev.warden.core.agent;

import dev.warden.core.error.ValidationException;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.model.Lease;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which of the credentials an agent's proxies hold have ended — revoked, expired, unknown, or of a
 * workload the agent may no longer serve — so that it closes the connections using them and stops
 * handing them out. The answer says only "ended": an agent learns nothing about leases that are not
 * its own to know (another node's workload's lease looks exactly like an unknown one).
 */
public final class AgentLeases {
  /** At most this many lease ids per question. */
  public static final int MAX_IDS = 1000;

  private final LeaseStore leases;
  private final RegistrationIndex index;
  private final Clock clock;

  public AgentLeases(LeaseStore leases, RegistrationIndex index, Clock clock) {
    this.leases = leases;
    this.index = index;
    this.clock = clock;
  }

  public List<String> ended(AgentRecord agent, List<String> ids) {
    if (ids.size() > MAX_IDS) {
      throw new ValidationException("lease_ids", "at most " + MAX_IDS + " lease ids per request");
    }
    Instant now = clock.instant();
    List<String> out = new ArrayList<>();
    for (String id : ids) {
      if (id == null || id.isEmpty() || id.length() > 200) {
        throw new ValidationException("lease_ids", "a lease id is 1 to 200 characters");
      }
      Optional<Lease> l = leases.get(id);
      if (l.isEmpty()
          || !l.get().isActive(now)
          || l.get().workload() == null
          || index.servableWorkload(l.get().workload(), agent.nodeSelectors(), now) == null) {
        out.add(id);
      }
    }
    return out;
  }
}
