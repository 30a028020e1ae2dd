package dev.warden.core.admin;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Admin API tokens, stored as hashes. */
public interface AdminTokenStore {

  /**
   * @throws dev.warden.core.error.ConflictException when the id exists
   */
  void insert(AdminToken token);

  Optional<AdminToken> get(String id);

  List<AdminToken> list();

  /**
   * @return true if the token existed and was not yet revoked
   */
  boolean revoke(String id, Instant at);
}
