package dev.warden.core.oauth;

import java.time.Instant;
import java.util.Optional;

/**
 * Issued authorization codes, shared by every node (a code issued by one node is redeemed at
 * another). Codes are looked up by the SHA-256 of the code; the code itself is never stored. Every
 * method throws {@link dev.warden.core.error.StoreException} when the database fails.
 */
public interface AuthorizationCodeStore {
  /**
   * Stores a newly issued code.
   *
   * @throws dev.warden.core.error.ConflictException when a code with the same hash exists
   */
  void insert(AuthorizationCode code);

  Optional<AuthorizationCode> get(byte[] codeHash);

  /**
   * Marks the code used, once: of any number of concurrent calls, on any node, exactly one returns
   * true.
   *
   * @return true when the code existed and was unused until now
   */
  boolean redeem(byte[] codeHash, Instant at);

  /**
   * Records that a redemption was attempted again (the first such moment is kept).
   *
   * @return true when the code exists
   */
  boolean markReused(byte[] codeHash, Instant at);

  /** Deletes codes that expired before {@code before}; returns how many. */
  int deleteExpired(Instant before);
}
