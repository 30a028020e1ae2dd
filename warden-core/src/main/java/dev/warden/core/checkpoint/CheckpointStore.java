package dev.warden.core.checkpoint;

import java.util.List;
import java.util.Optional;

/**
 * The newest signed checkpoints, kept in the database so that every node serves them. The store is
 * a convenience, not the proof: whoever can remove the chain's tail can remove these rows too, so
 * checkpoints are worth most where the database's writers cannot reach them (the audit stream, a
 * saved file).
 */
public interface CheckpointStore {

  /**
   * Stores a checkpoint.
   *
   * @return false when a checkpoint of the same sequence number and hash is already stored (another
   *     node signed the same head)
   * @throws dev.warden.core.error.StoreException when it cannot be written
   */
  boolean add(SignedCheckpoint checkpoint);

  /** The most recently stored checkpoint, if any. */
  Optional<SignedCheckpoint> latest();

  /** The most recently stored checkpoints, newest first, at most {@code limit}. */
  List<SignedCheckpoint> list(int limit);

  /**
   * Removes all but the {@code keep} most recently stored checkpoints.
   *
   * @return how many were removed
   */
  int prune(int keep);
}
