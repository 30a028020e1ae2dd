package dev.warden.server;

import dev.warden.core.cache.ChangeCache;
import dev.warden.core.lease.ActiveLeases;
import dev.warden.core.model.Lease;
import dev.warden.core.secret.BrokeredSecrets;
import dev.warden.store.ChangeFeed;
import dev.warden.store.JdbcStore;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What this node keeps between requests (decisions 662 and 022): the active leases of the tokens
 * the MCP gateway verifies, and the brokered secrets the gateway and {@code /v1/credentials} reads
 * open. Both are dropped by a change committed on this node before its writer returns (the store's
 * listeners), and by one committed elsewhere when {@link #refresh} (the {@link Reloader}'s pass, on
 * notification or poll) sees the change counter move; nothing is kept while the change feed does
 * not listen.
 */
final class NodeCaches {
  private static final int MAX_ENTRIES = 100_000;

  private final JdbcStore store;
  private volatile @Nullable ChangeFeed feed;
  private final ChangeCache<String, Optional<Lease>> leaseCache;
  final ActiveLeases leases;
  final ChangeCache<String, BrokeredSecrets.Opened> secrets;

  NodeCaches(JdbcStore store) {
    this.store = store;
    this.leaseCache = new ChangeCache<>(this::coverage, MAX_ENTRIES);
    this.leases = new ActiveLeases(store.leases(), leaseCache);
    this.secrets = new ChangeCache<>(this::coverage, MAX_ENTRIES);
    store.onLeaseRevoked(leaseCache::invalidate);
    store.onBrokeredSecretChanged(secrets::invalidate);
  }

  /** From now on values are kept while {@code feed} listens. */
  void follow(ChangeFeed feed) {
    this.feed = feed;
  }

  private long coverage() {
    ChangeFeed f = feed;
    return f == null ? -1 : f.session();
  }

  /**
   * Drops what another node changed: reads both change counters.
   *
   * @throws dev.warden.core.error.StoreException when the database fails (the caller keeps polling)
   */
  void refresh() {
    leaseCache.changed(store.leaseRevocations());
    secrets.changed(store.brokeredSecretChanges());
  }
}
