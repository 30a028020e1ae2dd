package dev.warden.server;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.document.Kind;
import dev.warden.core.error.Reason;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The configuration every request reads: compiled trust providers and the policy snapshot, each an
 * immutable value behind one reference. Rebuilt when a store change counter moves, whether the
 * change came from this node or another one sharing the database.
 */
final class RuntimeState {
  private static final System.Logger LOG = System.getLogger(RuntimeState.class.getName());

  private record Loaded(
      long trustCounter,
      TrustProviders trust,
      long policyCounter,
      PolicySnapshot policies,
      List<DisabledObject> disabled) {}

  private final Store store;
  private final DocumentFetcher fetcher;
  private final Clock clock;
  private final TrustOptions options;
  private final AuditWriter audit;
  private final AtomicReference<Loaded> loaded = new AtomicReference<>();
  private final dev.warden.core.agent.RegistrationIndex registrations =
      new dev.warden.core.agent.RegistrationIndex();
  private final dev.warden.core.agent.DeclaredProxies declaredProxies =
      new dev.warden.core.agent.DeclaredProxies();

  /**
   * Loads the configuration. Never fails for an object that does not compile: that object is
   * disabled and reported (see {@link #disabled()}); only a database failure stops the start.
   *
   * @param audit where an object becoming disabled, or working again, is recorded
   */
  RuntimeState(
      Store store, DocumentFetcher fetcher, Clock clock, TrustOptions options, AuditWriter audit) {
    this.store = store;
    this.fetcher = fetcher;
    this.clock = clock;
    this.options = options;
    this.audit = audit;
    reload(true);
  }

  /** Stored objects that do not compile and are therefore disabled, by kind then name. */
  List<DisabledObject> disabled() {
    return loaded.get().disabled();
  }

  /** Why the object is disabled, or null when it works (or does not exist). */
  @Nullable String disabledReason(Kind kind, String name) {
    for (DisabledObject d : disabled()) {
      if (d.kind() == kind && d.name().equals(name)) {
        return d.reason();
      }
    }
    return null;
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

  /** The proxies declared for agents, kept in step with the EdgeProxy documents. */
  dev.warden.core.agent.DeclaredProxies declaredProxies() {
    return declaredProxies;
  }

  /**
   * Rebuilds what changed; {@code force} rebuilds everything. Synchronized: one rebuild at a time.
   */
  synchronized void reload(boolean force) {
    Loaded cur = loaded.get();
    long tc = store.trustProviders().changeCounter();
    long pc =
        store.workloads().changeCounter()
            + store.resources().changeCounter()
            + store.policies().changeCounter();
    TrustProviders trust;
    if (cur == null) {
      trust = TrustProviders.load(values(store.trustProviders()), fetcher, clock, options);
    } else if (force || cur.trustCounter() != tc) {
      trust = cur.trust().rebuild(values(store.trustProviders()));
    } else {
      trust = cur.trust();
    }
    PolicySnapshot snap;
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
      snap = PolicySnapshot.build(w, r, p, cur == null ? null : cur.policies());
      LOG.log(
          System.Logger.Level.DEBUG,
          "policy snapshot rebuilt: "
              + w.size()
              + " workloads, "
              + r.size()
              + " resources, "
              + p.size()
              + " policies");
    } else {
      snap = cur.policies();
    }
    long ec = store.edgeProxies().changeCounter();
    if (force || ec != declaredProxies.counter()) {
      List<dev.warden.core.edge.ProxyDeclaration> edge = values(store.edgeProxies());
      // as for registrations: only a listing the counter did not move under is a snapshot at that
      // counter
      if (store.edgeProxies().changeCounter() == ec) {
        declaredProxies.update(ec, edge);
      }
    }
    List<DisabledObject> disabled = new ArrayList<>();
    trust
        .disabled()
        .forEach((name, why) -> disabled.add(new DisabledObject(Kind.TRUST_PROVIDER, name, why)));
    snap.disabledPolicies()
        .forEach((name, why) -> disabled.add(new DisabledObject(Kind.ACCESS_POLICY, name, why)));
    List<DisabledObject> before = cur == null ? List.of() : cur.disabled();
    loaded.set(new Loaded(tc, trust, pc, snap, List.copyOf(disabled)));
    report(before, disabled);
  }

  /** Audits and logs each object that became disabled, or works again, in this reload. */
  private void report(List<DisabledObject> before, List<DisabledObject> now) {
    for (DisabledObject d : now) {
      if (!before.contains(d)) {
        LOG.log(
            System.Logger.Level.WARNING,
            d.kind().wire() + " '" + d.name() + "' is disabled: " + d.reason());
        record(AuditType.CONFIG_DISABLED, AuditOutcome.FAILURE, d.kind(), d.name(), d.reason());
      }
    }
    for (DisabledObject d : before) {
      if (now.stream().noneMatch(n -> n.kind() == d.kind() && n.name().equals(d.name()))) {
        LOG.log(
            System.Logger.Level.INFO,
            d.kind().wire() + " '" + d.name() + "' compiles again (or was removed)");
        record(AuditType.CONFIG_ENABLED, AuditOutcome.SUCCESS, d.kind(), d.name(), null);
      }
    }
  }

  private void record(
      AuditType type, AuditOutcome outcome, Kind kind, String name, @Nullable String why) {
    Map<String, String> details = new HashMap<>();
    details.put("kind", kind.wire());
    details.put("name", name);
    if (why != null) {
      details.put("error", why);
    }
    try {
      audit.write(
          AuditEvent.of(
              type,
              outcome,
              why == null
                  ? null
                  : kind == Kind.TRUST_PROVIDER ? Reason.PROVIDER_DISABLED : Reason.POLICY_DISABLED,
              clock.instant(),
              "system",
              null,
              null,
              details));
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "could not audit "
              + type.wire()
              + " of "
              + kind.wire()
              + " '"
              + name
              + "': "
              + e.getMessage());
    }
  }

  /** Called on a timer; never throws (a failed reload keeps the last good state). */
  void reloadQuietly() {
    try {
      reload(false);
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "configuration reload failed, keeping the last good state: " + e.getMessage());
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
