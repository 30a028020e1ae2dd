package dev.warden.core.lease;

import dev.warden.core.cache.ChangeCache;
import dev.warden.core.model.Lease;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A lease store whose {@link #get} keeps unrevoked leases on this node until a revocation is known
 * (decision 662): the MCP gateway reads the lease of the same token on every tool call. A lease is
 * kept only while it is not revoked, and every revocation, on this node or another, drops what is
 * kept (see {@link ChangeCache}). Everything else goes to the store.
 */
public final class ActiveLeases implements LeaseStore {
  private final LeaseStore store;
  private final ChangeCache<String, Optional<Lease>> cache;

  public ActiveLeases(LeaseStore store, ChangeCache<String, Optional<Lease>> cache) {
    this.store = store;
    this.cache = cache;
  }

  @Override
  public Optional<Lease> get(String id) {
    return cache.get(id, store::get, l -> l.isPresent() && l.get().revokedAt() == null);
  }

  @Override
  public List<Lease> findByFingerprint(String fingerprint) {
    return store.findByFingerprint(fingerprint);
  }

  @Override
  public List<Lease> listActive(String workload, Instant now) {
    return store.listActive(workload, now);
  }

  @Override
  public boolean revoke(String id, Instant at, String reason) {
    boolean revoked = store.revoke(id, at, reason);
    if (revoked) {
      cache.invalidate();
    }
    return revoked;
  }

  @Override
  public Set<String> revokeAll(Collection<String> ids, Instant at, String reason) {
    Set<String> revoked = store.revokeAll(ids, at, reason);
    if (!revoked.isEmpty()) {
      cache.invalidate();
    }
    return revoked;
  }

  @Override
  public boolean extend(String id, Instant expiresAt, Instant now) {
    return store.extend(id, expiresAt, now);
  }

  @Override
  public List<LeaseRow> search(LeaseSearch search) {
    return store.search(search);
  }
}
