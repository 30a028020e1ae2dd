package dev.warden.core.pki;

import dev.warden.core.keys.KeyState;
import java.util.List;

/** The trust domain's certificate authorities in every state, so any node can rebuild the CA. */
public interface AuthorityStore {

  /** All authorities, oldest first. */
  List<AuthorityRecord> list();

  /**
   * @throws dev.warden.core.error.ConflictException when the id exists
   */
  void insert(AuthorityRecord authority);

  /**
   * Replaces an authority if it is still in {@code expectedState} (compare-and-set across nodes).
   *
   * @return true if replaced
   */
  boolean update(AuthorityRecord authority, KeyState expectedState);

  /** Increases whenever any authority changes; it is also the bundle's {@code spiffe_sequence}. */
  long changeCounter();
}
