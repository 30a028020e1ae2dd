package dev.warden.core.lease;

import dev.warden.core.model.Lease;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The lifecycle of leases whose credential lives at its target (a database user): intent before
 * effect, activation with the issuance's audit event, and removal at the target with retries.
 * {@link LeaseStore#revoke} moves such a lease to {@link LeaseState#REVOKING}, so every existing
 * way of revoking (API, leak report, retirement) also schedules the removal.
 */
public interface TargetLeaseStore {

  /**
   * Records the intent to create a credential at {@code target}, durably, in state ISSUING, unless
   * the workload already holds {@code maxLive} live (issuing or active, unexpired) leases for the
   * resource. Concurrent intents never let more than {@code maxLive} through (a burst may refuse
   * one more than needed): each is committed first and then counts the others it can see.
   *
   * @return true when recorded; false when over the quota (the intent is then kept as REVOKED with
   *     reason {@code quota exceeded}, nothing having been created)
   */
  boolean recordIntent(Lease lease, String target, int maxLive, Instant now);

  /**
   * Gives up an ISSUING lease whose creation failed.
   *
   * @param nothingCreated true when the target certainly holds nothing (it could not be reached, or
   *     rolled the creation back): the lease goes straight to REVOKED; else to REVOKING, and the
   *     removal makes sure
   * @return false when the lease was no longer ISSUING
   */
  boolean abandon(String id, Instant at, String reason, boolean nothingCreated);

  Optional<TargetLease> get(String id);

  /** ACTIVE leases whose credential expired at or before {@code now}, oldest first. */
  List<TargetLease> expired(Instant now, int limit);

  /** ISSUING leases recorded before {@code issuedBefore}: their creation crashed or hangs. */
  List<TargetLease> staleIntents(Instant issuedBefore, int limit);

  /** REVOKING and IRREVOCABLE leases whose next removal attempt is due, most overdue first. */
  List<TargetLease> dueForRemoval(Instant now, int limit);

  /**
   * Takes one removal attempt for this node: moves {@code removalDue} from the value read to {@code
   * until}, so other nodes skip it meanwhile.
   *
   * @return false when another node took it first or the lease moved on
   */
  boolean claimRemoval(String id, Instant due, Instant until);

  /** One lease's claim: its id and the {@code removalDue} read with it. */
  record Claim(String id, Instant due) {}

  /**
   * {@link #claimRemoval} for many leases, durable with one commit: each is taken only if its
   * {@code removalDue} is still the value read, so leases another node claimed meanwhile are
   * skipped. This default claims them one by one.
   *
   * @return the ids this node now holds
   */
  default Set<String> claimRemovals(Collection<Claim> claims, Instant until) {
    Set<String> out = new LinkedHashSet<>();
    for (Claim c : claims) {
      if (claimRemoval(c.id(), c.due(), until)) {
        out.add(c.id());
      }
    }
    return out;
  }

  /** The target confirmed the credential gone: REVOKED, final. */
  void removed(String id, Instant at);

  /**
   * {@link #removed} for many leases, durable with one commit. This default marks them one by one.
   */
  default void removedAll(Collection<String> ids, Instant at) {
    for (String id : ids) {
      removed(id, at);
    }
  }

  /** A removal attempt failed; the lease stays REVOKING, or becomes IRREVOCABLE. */
  void removalFailed(String id, int attempts, Instant nextDue, String error, boolean irrevocable);

  /**
   * Stops the removal of an IRREVOCABLE lease's credential for good: an administrator dealt with it
   * at the target by hand, or the target is gone. The lease becomes REVOKED with no {@code
   * removedAt} (Warden never saw it removed) and {@code note} as its last error, so the list says
   * why.
   *
   * @return false when the lease is not IRREVOCABLE (already forgotten, removed, or never stuck)
   */
  boolean forget(String id, String note);

  /** Target leases in a state (null: any), newest first. */
  List<TargetLease> list(@Nullable LeaseState state, int limit);

  /** How many target leases are in each state. */
  Map<LeaseState, Long> countByState();

  /** The distinct targets of leases not yet REVOKED: where the orphan sweep must look. */
  List<String> openTargets();
}
