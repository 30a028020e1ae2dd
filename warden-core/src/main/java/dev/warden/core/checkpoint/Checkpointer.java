package dev.warden.core.checkpoint;

import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditStore;
import dev.warden.core.audit.ChainHead;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.token.KeyManager;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Signs checkpoints of the audit chain with the audit checkpoint keys: of the head, on a timer and
 * only when it moved ({@link #checkpointIfMoved}), stored so every node serves the newest; and of
 * the last event of each batch an audit stream publishes ({@link #sign}), which travel with the
 * stream only.
 *
 * <p>Before signing a new head it checks the newest stored checkpoint against the chain: if the
 * head is now behind it, or the event it signed has another hash, the chain's tail was removed or
 * rolled back since. That is logged as an error and counted ({@link #rollbacks}), and the new head
 * is still signed: a restore from backup is a legitimate rollback, and checkpoints published before
 * it keep proving what was lost.
 */
public final class Checkpointer {
  private static final System.Logger LOG = System.getLogger(Checkpointer.class.getName());

  private final KeyManager keys;
  private final AuditStore audit;
  private final CheckpointStore store;
  private final String issuer;
  private final String chain;
  private final Clock clock;
  private final int keep;
  private final AtomicLong rollbacks = new AtomicLong();

  /**
   * @param chain the installation's chain id
   * @param keep how many signed checkpoints the store keeps
   * @throws IllegalArgumentException when {@code keys} are not audit checkpoint keys or {@code
   *     keep} is below 1
   */
  public Checkpointer(
      KeyManager keys,
      AuditStore audit,
      CheckpointStore store,
      String issuer,
      String chain,
      Clock clock,
      int keep) {
    if (keys.purpose() != KeyPurpose.AUDIT_CHECKPOINT) {
      throw new IllegalArgumentException(
          "checkpoints are signed with audit checkpoint keys, not " + keys.purpose());
    }
    if (keep < 1) {
      throw new IllegalArgumentException("keep at least one checkpoint, got " + keep);
    }
    this.keys = keys;
    this.audit = audit;
    this.store = store;
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.chain = Objects.requireNonNull(chain, "chain");
    this.clock = clock;
    this.keep = keep;
  }

  /** The installation's chain id, which every checkpoint and stream message names. */
  public String chain() {
    return chain;
  }

  /** The JWKS of the audit checkpoint keys, every one ever used (public halves only). */
  public String jwks() {
    return keys.keyset().jwksJson();
  }

  /** Signs (and does not store) a checkpoint over {@code r}: the last event of a stream batch. */
  public SignedCheckpoint sign(AuditRecord r) {
    return CheckpointJws.sign(
        keys.keyset().active(), new Checkpoint(issuer, chain, r.seq(), r.hash(), clock.instant()));
  }

  /**
   * Signs and stores a checkpoint of the chain head if it moved since the newest stored one, then
   * drops all but the newest {@code keep}. Safe on every node at once: two nodes signing the same
   * head store it once.
   *
   * @return the new checkpoint, or empty when the head had not moved (or the chain is empty)
   * @throws IllegalStateException when the head names an event that is not in the log with that
   *     hash: the log is damaged, and Warden does not sign damage
   * @throws dev.warden.core.error.StoreException when the store cannot be read or written
   */
  public Optional<SignedCheckpoint> checkpointIfMoved() {
    ChainHead head = audit.head();
    if (head.seq() == 0) {
      return Optional.empty();
    }
    Optional<SignedCheckpoint> latest = store.latest();
    if (latest.isPresent()) {
      Checkpoint last = latest.get().checkpoint();
      if (last.seq() == head.seq() && MessageDigest.isEqual(last.hash(), head.hash())) {
        return Optional.empty();
      }
      checkStillHolds(last, head);
    }
    List<AuditRecord> at = audit.readChain(head.seq(), 1);
    if (at.isEmpty()
        || at.getFirst().seq() != head.seq()
        || !MessageDigest.isEqual(at.getFirst().hash(), head.hash())) {
      throw new IllegalStateException(
          "the audit chain head names event "
              + head.seq()
              + ", which is not in the log with the head's hash; run 'warden audit verify' (no checkpoint signed)");
    }
    SignedCheckpoint signed = sign(at.getFirst());
    store.add(signed);
    store.prune(keep);
    return Optional.of(signed);
  }

  private void checkStillHolds(Checkpoint last, ChainHead head) {
    String problem = null;
    if (head.seq() < last.seq()) {
      problem =
          "events "
              + (head.seq() + 1)
              + ".."
              + last.seq()
              + " missing: the chain head is at "
              + head.seq()
              + " but checkpoint "
              + last.time()
              + " signed "
              + last.seq();
    } else {
      List<AuditRecord> r = audit.readChain(last.seq(), 1);
      if (r.isEmpty()
          || r.getFirst().seq() != last.seq()
          || !MessageDigest.isEqual(r.getFirst().hash(), last.hash())) {
        problem =
            "event "
                + last.seq()
                + " is not the event checkpoint "
                + last.time()
                + " signed: the log was rolled back and rewritten";
      }
    }
    if (problem != null) {
      rollbacks.incrementAndGet();
      LOG.log(
          System.Logger.Level.ERROR,
          "AUDIT LOG ROLLED BACK: "
              + problem
              + ". Unless the database was restored"
              + " from a backup on purpose, find out who changed it; signing the new head from here on");
    }
  }

  /** How many times this node found the chain behind its newest checkpoint since start. */
  public long rollbacks() {
    return rollbacks.get();
  }

  /** The newest stored checkpoint. */
  public Optional<SignedCheckpoint> latest() {
    return store.latest();
  }

  /** The newest stored checkpoints, newest first. */
  public List<SignedCheckpoint> list(int limit) {
    return store.list(limit);
  }
}
