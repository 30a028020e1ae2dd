package dev.warden.core.oauth;

import java.time.Instant;
import java.util.Optional;

/**
 * The signed-in users behind access tokens of the authorization code grant ({@link UserGrant}),
 * shared by every node (a user signs in through one node and calls the MCP gateway on another).
 * Every method throws {@link dev.warden.core.error.StoreException} when the database fails.
 */
public interface UserGrantStore {
  /**
   * Stores the user behind a token about to be issued.
   *
   * @throws dev.warden.core.error.ConflictException when a record for the same token exists
   */
  void insert(UserGrant grant);

  /** The user behind the token with this {@code jti}, if recorded. */
  Optional<UserGrant> get(String tokenId);

  /** Deletes records that expired before {@code before}; returns how many. */
  int deleteExpired(Instant before);
}
