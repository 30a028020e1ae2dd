package dev.warden.server;

import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.store.ObjectStore;
import dev.warden.core.store.Store;
import dev.warden.core.store.Versioned;
import dev.warden.core.trust.DocumentFetcher;
import dev.warden.core.trust.TrustOptions;
import dev.warden.core.trust.TrustProviders;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The configuration every request reads: compiled trust providers and the policy snapshot, each an
 * immutable value behind one reference. Rebuilt when a store change counter moves, whether the
 * change came from this node or another one sharing the database.
 */
final class RuntimeState {
  private static final System.Logger LOG = System.getLogger(RuntimeState.class.getName());

  private record Loaded(long trustCounter, TrustProviders trust, long policyCounter, PolicySnapshot policies) {}

  private final Store store;
  private final DocumentFetcher fetcher;
  private final Clock clock;
  private final TrustOptions options;
  private final AtomicReference<Loaded> loaded = new AtomicReference<>();
  private final dev.warden.core.agent.RegistrationIndex registrations = new dev.warden.core.agent.RegistrationIndex();

  RuntimeState(Store store, DocumentFetcher fetcher, Clock clock, TrustOptions options) {
    this.store = store;
    this.fetcher = fetcher;
    this.clock = clock;
    this.options = options;
    reload(true);
  }

  TrustProviders trust() {
    return loaded.get().trust();
  }

  PolicySnapshot policies() {
    return loaded.get().policies();
  }

  /** What agents may serve, kept in step with the workloads. */
  dev.warden.core.agent.RegistrationIndex registrations() {
    return registrations;
  }

  /** Rebuilds what changed; {@code force} rebuilds everything. Synchronized: one rebuild at a time. */
  synchronized void reload(boolean force) {
    Loaded cur = loaded.get();
    long tc = store.trustProviders().changeCounter();
    long pc = store.workloads().changeCounter() + store.resources().changeCounter() + store.policies().changeCounter();
    TrustProviders trust = cur == null ? null : cur.trust();
    PolicySnapshot snap = cur == null ? null : cur.policies();
    if (force || cur == null || cur.trustCounter() != tc) {
      trust = trust == null ? TrustProviders.build(values(store.trustProviders()), fetcher, clock, options)
          : trust.rebuild(values(store.trustProviders()));
    }
    if (force || cur == null || cur.policyCounter() != pc) {
      long wc = store.workloads().changeCounter();
      List<Workload> w = values(store.workloads());
      // the registration index needs a snapshot exactly at counter wc (see RegistrationIndex);
      // if a write slipped in while listing, the next reload sees the counter move and retries
      if (store.workloads().changeCounter() == wc) {
        registrations.update(wc, w);
      } else {
        pc = -1;
      }
      List<Resource> r = values(store.resources());
      List<AccessPolicy> p = values(store.policies());
      snap = PolicySnapshot.build(w, r, p, snap);
      LOG.log(System.Logger.Level.DEBUG, "policy snapshot rebuilt: " + w.size() + " workloads, " + r.size()
          + " resources, " + p.size() + " policies");
    }
    loaded.set(new Loaded(tc, trust, pc, snap));
  }

  /** Called on a timer; never throws (a failed reload keeps the last good state). */
  void reloadQuietly() {
    try {
      reload(false);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "configuration reload failed, keeping the last good state: " + e.getMessage());
    }
  }

  private static <T extends dev.warden.core.model.Named> List<T> values(ObjectStore<T> s) {
    List<T> out = new ArrayList<>();
    for (Versioned<T> v : s.list()) {
      out.add(v.value());
    }
    return out;
  }
}
