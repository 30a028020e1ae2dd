package dev.warden.core.impact;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What a revocation, retirement or owner departure would do, worked out without doing it: what it
 * revokes, deletes and changes, who used the affected credentials and resources over a window of
 * the audit log, and which of those uses lose access once the change is made.
 *
 * @param operation {@code retire}, {@code depart} or {@code revoke}
 * @param subject the workload's SPIFFE ID, the owner, or the lease id
 * @param since the start of the usage window (its end is {@code at})
 * @param concerned the workloads the operation is about: the one retired, those the owner holds,
 *     the lease's holder
 * @param leases the live leases the operation revokes
 * @param workloads the workloads it changes, as they are and as they will be
 * @param policiesDeleted allow policies it deletes
 * @param policiesKept allow policies it keeps although they cover only what it retires (review
 *     them)
 * @param imported imported inventory items it hands over (owner departure)
 * @param consumers every (workload, resource) pair that obtained a credential in the window and is
 *     touched by the operation, with its access afterwards
 */
public record Impact(
    String operation,
    String subject,
    Instant at,
    Duration window,
    Instant since,
    List<String> concerned,
    List<LeaseChange> leases,
    List<WorkloadChange> workloads,
    List<String> policiesDeleted,
    List<String> policiesKept,
    List<String> imported,
    List<Consumer> consumers) {

  public Impact {
    Objects.requireNonNull(operation, "operation");
    concerned = List.copyOf(concerned);
    leases = List.copyOf(leases);
    workloads = List.copyOf(workloads);
    policiesDeleted = List.copyOf(policiesDeleted);
    policiesKept = List.copyOf(policiesKept);
    imported = List.copyOf(imported);
    consumers = List.copyOf(consumers);
  }

  /** How many live leases of each credential kind the operation revokes, by kind's wire name. */
  public Map<String, Integer> leasesByKind() {
    Map<String, Integer> m = new TreeMap<>();
    leases.forEach(l -> m.merge(l.kind(), 1, Integer::sum));
    return m;
  }

  /** The consumers that will lose access. */
  public List<Consumer> losingAccess() {
    return consumers.stream().filter(c -> c.access() == Access.LOSES).toList();
  }

  /**
   * A live lease that will be revoked.
   *
   * @param state for a credential that lives at its target, its lifecycle state ({@code active},
   *     {@code issuing}); else {@code active}
   * @param target for a database user: {@code host:port/database} where it will be dropped; else
   *     null
   */
  public record LeaseChange(
      String id,
      String kind,
      @Nullable String workload,
      @Nullable String resource,
      Instant issuedAt,
      Instant expiresAt,
      String state,
      @Nullable String target) {}

  /** A workload the operation changes: its state and owner now and afterwards. */
  public record WorkloadChange(
      String workload, String state, String stateAfter, String owner, String ownerAfter) {}

  /**
   * One workload's use of one resource over the window, and whether it can still obtain a
   * credential for it after the operation.
   *
   * @param credentialKinds the kinds it obtained (wire names, e.g. {@code access_token}, {@code
   *     database_user}, {@code brokered_secret})
   * @param count how many credentials it obtained in the window
   * @param reason why it loses (or may lose) access: a stable reason code and what the engine said;
   *     null when it keeps access
   * @param policy the allow policy that will still grant it, when it keeps access
   */
  public record Consumer(
      String workload,
      String resource,
      List<String> credentialKinds,
      long count,
      @Nullable Instant lastUsed,
      Access access,
      @Nullable String reason,
      @Nullable String policy) {
    public Consumer {
      credentialKinds = List.copyOf(credentialKinds);
    }
  }

  /** What happens to a consumer's access. */
  public enum Access {
    /** A policy still grants it: it can obtain a new credential. */
    KEEPS,
    /** Nothing will grant it any more. */
    LOSES,
    /**
     * Only conditional policies would grant it, and their condition cannot be judged without a real
     * request (claims, address): it may or may not keep access.
     */
    CONDITIONAL,
    /**
     * It had already lost access before this operation (a policy changed since it last obtained
     * one).
     */
    ALREADY_DENIED;

    /** The name in reports, e.g. {@code already_denied}. */
    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
