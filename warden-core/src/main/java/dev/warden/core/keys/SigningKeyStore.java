package dev.warden.core.keys;

import java.util.List;

/** Signing keys in every state, so the keyset can be rebuilt on any node. */
public interface SigningKeyStore {

  /** All keys, oldest first. */
  List<SigningKeyRecord> list();

  /**
   * @throws dev.warden.core.error.ConflictException when the kid exists
   */
  void insert(SigningKeyRecord key);

  /**
   * Replaces a key's record if it is still in {@code expectedState} (compare-and-set, so two nodes
   * rotating at once cannot both win).
   *
   * @return true if replaced
   */
  boolean update(SigningKeyRecord key, KeyState expectedState);

  /** Increases whenever any key changes; nodes reload their keyset when it moves. */
  long changeCounter();
}
