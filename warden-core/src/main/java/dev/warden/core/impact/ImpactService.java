package dev.warden.core.impact;

import dev.warden.core.database.DatabaseUserProvider;
import dev.warden.core.document.Documents;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.impact.Impact.Access;
import dev.warden.core.impact.Impact.Consumer;
import dev.warden.core.impact.Impact.LeaseChange;
import dev.warden.core.impact.Impact.WorkloadChange;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.inventory.InventoryStore;
import dev.warden.core.lease.TargetLease;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import dev.warden.core.policy.Decision;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.policy.RequestContext;
import dev.warden.core.store.Store;
import dev.warden.core.store.Versioned;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Dry runs of the operations that take access away: retiring a workload, an owner's departure,
 * revoking a lease. Each reads the plan the real operation follows ({@link
 * InventoryService#retirePlan}, {@link InventoryService#departPlan}), who obtained credentials in
 * the window from the audit log's grant events, and judges each such use with the real policy
 * engine twice: on the configuration as it is, and on a snapshot built from the configuration as it
 * will be. Nothing is written: not the store, not the audit log.
 *
 * <p>Design note (decision 506): the "after" snapshot is the same {@link PolicySnapshot} the token
 * endpoint uses, built from the store's workloads, resources and policies with the operation's
 * changes applied in memory, so selectors, patterns, deny-wins and conditions are judged exactly as
 * a real request would be. A condition that needs a request's claims or address cannot be judged
 * ahead of one, so such a use is reported {@link Access#CONDITIONAL}, never guessed.
 *
 * <p>Why it is over 400 lines: the three dry runs share one analysis (the grant uses in the window,
 * judged on the snapshot before and after); split per operation, it would be copied or scattered.
 */
public final class ImpactService {
  /** The usage window when none is given. */
  public static final Duration DEFAULT_WINDOW = Duration.ofDays(30);

  /**
   * The longest window: the audit log is read through its indexes, but a year is enough to ask
   * about.
   */
  public static final Duration MAX_WINDOW = Duration.ofDays(366);

  private final Store store;
  private final InventoryStore grantUses;
  private final InventoryService inventory;
  private final Supplier<PolicySnapshot> current;
  private final Clock clock;

  /**
   * @param grantUses where the audit log's grant events are indexed by workload and resource
   * @param current the engine's current snapshot, whose compiled conditions are reused; may return
   *     null
   */
  public ImpactService(
      Store store,
      InventoryStore grantUses,
      InventoryService inventory,
      Supplier<PolicySnapshot> current,
      Clock clock) {
    this.store = store;
    this.grantUses = grantUses;
    this.inventory = inventory;
    this.current = current;
    this.clock = clock;
  }

  /**
   * The impact of retiring a workload.
   *
   * @param window how far back to read usage; null for {@link #DEFAULT_WINDOW}
   * @throws NotFoundException when the workload does not exist
   * @throws ValidationException when the window is not positive or longer than {@link #MAX_WINDOW}
   */
  public Impact retire(String spiffeId, @Nullable Duration window) {
    Duration win = window(window);
    InventoryService.RetirePlan plan = inventory.retirePlan(spiffeId);
    Workload w = plan.workload();
    Workload after = w.withState(WorkloadState.RETIRED);
    List<WorkloadChange> changes =
        w.state() == WorkloadState.RETIRED
            ? List.of()
            : List.of(
                new WorkloadChange(
                    w.name(), wire(w.state()), wire(WorkloadState.RETIRED), w.owner(), w.owner()));
    return analyse(
        "retire",
        spiffeId,
        win,
        plan.leases(),
        Map.of(w.name(), after),
        Set.copyOf(plan.deletePolicies()),
        List.of(w.name()),
        changes,
        plan.deletePolicies(),
        plan.keptPolicies(),
        List.of());
  }

  /**
   * The impact of an owner's departure; with neither {@code reassignTo} nor {@code suspend} it only
   * lists what they hold and who uses it.
   *
   * @throws ValidationException when the owner is missing, both actions are given, or the window is
   *     out of range
   */
  public Impact depart(
      @Nullable String owner,
      @Nullable String reassignTo,
      boolean suspend,
      @Nullable Duration window) {
    Duration win = window(window);
    InventoryService.DepartPlan plan = inventory.departPlan(owner, reassignTo, suspend);
    Map<String, Workload> after = new HashMap<>();
    List<WorkloadChange> changes = new ArrayList<>();
    Map<String, Workload> before = new HashMap<>();
    plan.workloads().forEach(w -> before.put(w.name(), w));
    for (Workload a : plan.changed()) {
      Workload b =
          Objects.requireNonNull(
              before.get(a.name()), "a changed workload is one of the plan's workloads");
      after.put(a.name(), a);
      changes.add(
          new WorkloadChange(a.name(), wire(b.state()), wire(a.state()), b.owner(), a.owner()));
    }
    return analyse(
        "depart",
        // departPlan refused a missing owner
        Objects.requireNonNull(owner, "departPlan checks the owner"),
        win,
        plan.leases(),
        after,
        Set.of(),
        plan.workloads().stream().map(Workload::name).toList(),
        changes,
        List.of(),
        List.of(),
        plan.imported());
  }

  /**
   * The impact of revoking one lease: its holder, what it obtained for the lease's resource in the
   * window, and whether it can obtain a new credential (the configuration does not change).
   *
   * @throws NotFoundException when no lease has this id
   */
  public Impact revoke(String leaseId, @Nullable Duration window) {
    Duration win = window(window);
    Instant now = clock.instant();
    Lease l =
        store.leases().get(leaseId).orElseThrow(() -> new NotFoundException("lease", leaseId));
    List<Lease> live = l.isActive(now) ? List.of(l) : List.of();
    Instant since = now.minus(win);
    Map<String, Use> uses = new LinkedHashMap<>();
    if (l.workload() != null && l.resource() != null) {
      // the holder is shown even when it obtained nothing in the window (a lease older than it)
      uses.put(key(l.workload(), l.resource()), new Use(l.workload(), l.resource()));
      for (InventoryStore.GrantUse g : grantUses.grantUses(l.workload(), l.resource(), since)) {
        add(uses, g);
      }
    }
    return judge(
        "revoke",
        leaseId,
        now,
        win,
        l.workload() == null ? List.of() : List.of(l.workload()),
        live,
        Map.of(),
        Set.of(),
        uses.values(),
        List.of(),
        List.of(),
        List.of(),
        List.of());
  }

  private Impact analyse(
      String operation,
      String subject,
      Duration win,
      List<Lease> leases,
      Map<String, Workload> changedWorkloads,
      Set<String> deletedPolicies,
      List<String> subjectWorkloads,
      List<WorkloadChange> changes,
      List<String> policiesDeleted,
      List<String> policiesKept,
      List<String> imported) {
    Instant now = clock.instant();
    Instant since = now.minus(win);
    Map<String, Use> uses = new LinkedHashMap<>();
    for (String w : subjectWorkloads) {
      grantUses.grantUses(w, null, since).forEach(g -> add(uses, g));
    }
    // everyone else who used a resource whose policy goes away: the engine says whether another
    // grants it
    Set<String> resources = new TreeSet<>();
    for (Versioned<AccessPolicy> p : store.policies().list()) {
      if (deletedPolicies.contains(p.value().name())) {
        resources.addAll(p.value().resources());
      }
    }
    for (String r : resources) {
      grantUses.grantUses(null, r, since).forEach(g -> add(uses, g));
    }
    return judge(
        operation,
        subject,
        now,
        win,
        subjectWorkloads,
        leases,
        changedWorkloads,
        deletedPolicies,
        uses.values(),
        changes,
        policiesDeleted,
        policiesKept,
        imported);
  }

  private Impact judge(
      String operation,
      String subject,
      Instant now,
      Duration win,
      List<String> concerned,
      List<Lease> leases,
      Map<String, Workload> changedWorkloads,
      Set<String> deletedPolicies,
      Collection<Use> uses,
      List<WorkloadChange> changes,
      List<String> policiesDeleted,
      List<String> policiesKept,
      List<String> imported) {
    List<Workload> workloads = values(store.workloads().list());
    List<Resource> resources = values(store.resources().list());
    List<AccessPolicy> policies = values(store.policies().list());
    PolicySnapshot before = PolicySnapshot.build(workloads, resources, policies, current.get());
    PolicySnapshot after =
        changedWorkloads.isEmpty() && deletedPolicies.isEmpty()
            ? before
            : PolicySnapshot.build(
                workloads.stream().map(w -> changedWorkloads.getOrDefault(w.name(), w)).toList(),
                resources,
                policies.stream().filter(p -> !deletedPolicies.contains(p.name())).toList(),
                before);
    RequestContext ctx = RequestContext.at(now);
    List<Consumer> consumers = new ArrayList<>();
    for (Use u : uses) {
      Verdict b = verdict(before, u, ctx, now);
      Verdict a = verdict(after, u, ctx, now);
      Access access;
      Verdict why = a;
      if (a.allowed()) {
        access = Access.KEEPS;
      } else if (b.allowed()) {
        // the same request context both times: whatever denies it now, the change caused it
        access = Access.LOSES;
      } else if (a.conditional()) {
        access = Access.CONDITIONAL;
      } else if (!b.conditional()) {
        access = Access.ALREADY_DENIED;
        why = b;
      } else {
        access = Access.LOSES;
      }
      consumers.add(
          new Consumer(
              u.workload,
              u.resource,
              List.copyOf(u.kinds),
              u.count,
              u.last,
              access,
              access == Access.KEEPS ? null : why.reason(),
              access == Access.KEEPS ? a.policy() : null));
    }
    consumers.sort(
        java.util.Comparator.comparing(Consumer::workload).thenComparing(Consumer::resource));
    return new Impact(
        operation,
        subject,
        now,
        win,
        now.minus(win),
        concerned,
        leases.stream().map(this::change).toList(),
        changes,
        policiesDeleted,
        policiesKept,
        imported,
        consumers);
  }

  /**
   * What the token endpoint would decide for this use: the workload's state first, then the engine.
   */
  private static Verdict verdict(PolicySnapshot snap, Use u, RequestContext ctx, Instant now) {
    Workload w = snap.workload(u.workload);
    if (w == null) {
      return Verdict.deny(Reason.UNKNOWN_WORKLOAD, "workload " + u.workload + " no longer exists");
    }
    switch (w.state()) {
      case SUSPENDED -> {
        return Verdict.deny(Reason.WORKLOAD_SUSPENDED, "workload " + w.name() + " is suspended");
      }
      case RETIRED -> {
        return Verdict.deny(Reason.WORKLOAD_RETIRED, "workload " + w.name() + " is retired");
      }
      default -> {
        if (w.expiresAt() != null && !now.isBefore(w.expiresAt())) {
          return Verdict.deny(
              Reason.WORKLOAD_EXPIRED, "workload " + w.name() + " expired at " + w.expiresAt());
        }
      }
    }
    Resource r = snap.resource(u.resource);
    if (r == null) {
      return Verdict.deny(Reason.UNKNOWN_RESOURCE, "resource " + u.resource + " no longer exists");
    }
    Decision d = snap.decide(w, r, ctx);
    if (d.allowed()) {
      return new Verdict(true, false, null, d.policy());
    }
    boolean conditional =
        d.reason() == Reason.CONDITION_FALSE || d.reason() == Reason.CONDITION_ERROR;
    return new Verdict(false, conditional, d.reason().code() + ": " + d.message(), null);
  }

  private LeaseChange change(Lease l) {
    String state = "active";
    String target = null;
    if (l.kind().livesAtTarget()) {
      Optional<TargetLease> t = store.targetLeases().get(l.id());
      if (t.isPresent()) {
        state = t.get().state().name().toLowerCase(Locale.ROOT);
        target = where(t.get().target());
      }
    }
    return new LeaseChange(
        l.id(),
        l.kind().wire(),
        l.workload(),
        l.resource(),
        l.issuedAt(),
        l.expiresAt(),
        state,
        target);
  }

  /**
   * {@code host:port/database} of a lease's recorded target, or null when the record cannot be
   * read.
   */
  private static @Nullable String where(String targetJson) {
    try {
      Map<String, String> c =
          DatabaseUserProvider.connection(
              Documents.databaseTarget(
                  new com.fasterxml.jackson.databind.ObjectMapper().readTree(targetJson)));
      return c.get("host") + ":" + c.get("port") + "/" + c.get("database");
    } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
      return null;
    }
  }

  private static Duration window(@Nullable Duration w) {
    if (w == null) {
      return DEFAULT_WINDOW;
    }
    if (w.isNegative() || w.isZero() || w.compareTo(MAX_WINDOW) > 0) {
      throw new ValidationException(
          "window",
          "must be between 1s and 366d, e.g. 30d; got "
              + dev.warden.core.model.Durations.format(w));
    }
    return w;
  }

  private static void add(Map<String, Use> uses, InventoryStore.GrantUse g) {
    if (g.workload() == null || g.resource() == null) {
      return;
    }
    Use u =
        uses.computeIfAbsent(
            key(g.workload(), g.resource()), k -> new Use(g.workload(), g.resource()));
    // read once for the workload and again for the resource: count each group once
    if (!u.kinds.add(g.credentialKind())) {
      return;
    }
    u.count += g.count();
    u.last = u.last == null || g.lastUsed().isAfter(u.last) ? g.lastUsed() : u.last;
  }

  private static String key(String workload, String resource) {
    return workload + "\0" + resource;
  }

  private static String wire(WorkloadState s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  private static <T> List<T> values(List<Versioned<T>> vs) {
    return vs.stream().map(Versioned::value).toList();
  }

  /** One workload's grants for one resource, summed over kinds while reading. */
  private static final class Use {
    final String workload;
    final String resource;
    final Set<String> kinds = new LinkedHashSet<>();
    long count;
    @Nullable Instant last; // null while only a live lease, no recorded use, is known

    Use(String workload, String resource) {
      this.workload = workload;
      this.resource = resource;
    }
  }

  private record Verdict(
      boolean allowed, boolean conditional, @Nullable String reason, @Nullable String policy) {
    static Verdict deny(Reason r, String message) {
      return new Verdict(false, false, r.code() + ": " + message, null);
    }
  }
}
