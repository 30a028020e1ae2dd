package dev.warden.core.inventory;

import dev.warden.core.admin.AdminToken;
import dev.warden.core.document.Kind;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.store.InventoryStore;
import dev.warden.core.store.Store;
import dev.warden.core.store.Versioned;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * The inventory and its findings under the configured thresholds, kept in memory and brought up to
 * date from the audit log instead of recomputed per request (decision 501).
 *
 * <p>{@link #rebuild} reads everything once: the large part (imported items, lease aggregates,
 * token usage) in one repeatable-read transaction that also fixes the audit sequence it matches.
 * {@link #catchUp} then reads the audit events after that sequence and re-judges only what they
 * touch: an import re-judges the imported rows it wrote and the items sharing their fingerprints;
 * a configuration change reloads that object and re-judges the imported items whose owner's
 * standing changed; token issuance updates usage. What Warden holds itself (workloads, issued
 * credentials, admin tokens, leaks: thousands, not millions) is re-judged whole on any change.
 * Every read catches up first, so a reader sees every change committed before it asked.
 *
 * <p>Rules that depend only on the passage of time (age, staleness, rotation due) move when the
 * index is rebuilt, which the server does on a timer ({@code posture.rebuildInterval}).
 */
public final class PostureIndex {
  /** Catching up on more events than this is slower than reading everything again. */
  static final int MAX_CATCH_UP = 200_000;
  private static final int BATCH = 20_000;
  /** Total order of findings in a set: {@link Posture#ORDER}, then what tells two on one item apart. */
  static final Comparator<Finding> SET_ORDER = Posture.ORDER.thenComparing(Finding::evidence)
      .thenComparing(f -> Objects.toString(f.subject(), ""));

  /** A page of findings, with counts over every finding that matched. */
  public record FindingsPage(List<Finding> findings, int total, Map<String, Integer> bySeverity,
      Map<String, Integer> byOwasp, Instant evaluatedAt) {}

  /** A page of inventory items; {@code next} is the cursor of the following page, or null. */
  public record ItemsPage(List<InventoryItem> items, String next) {}

  private final Store store;
  private final InventoryStore inventory;
  private final Clock clock;
  private final PostureThresholds thresholds;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Object rebuilding = new Object();
  private volatile State state;

  public PostureIndex(Store store, InventoryStore inventory, Clock clock, PostureThresholds thresholds) {
    this.store = store;
    this.inventory = inventory;
    this.clock = clock;
    this.thresholds = thresholds;
  }

  public PostureThresholds thresholds() {
    return thresholds;
  }

  /** True once the first {@link #rebuild} has finished. */
  public boolean ready() {
    return state != null;
  }

  /**
   * Reads everything again and re-judges every item, then swaps the result in. Readers keep the
   * previous state meanwhile; concurrent calls run one after the other.
   *
   * @throws dev.warden.core.error.StoreException when the database fails (the previous state stays)
   */
  public void rebuild() {
    synchronized (rebuilding) {
      State next = load();
      lock.writeLock().lock();
      try {
        state = next;
      } finally {
        lock.writeLock().unlock();
      }
      catchUp();
    }
  }

  /**
   * Applies the audit events written since the state was read. Cheap when there are none (one
   * query of the audit head).
   *
   * @throws dev.warden.core.error.StoreException when the database fails
   */
  public void catchUp() {
    State s = state;
    if (s == null) {
      rebuild();
      return;
    }
    long head = inventory.auditHead();
    if (head <= s.head) {
      return;
    }
    if (head - s.head > MAX_CATCH_UP) {
      rebuild();
      return;
    }
    lock.writeLock().lock();
    try {
      while (true) {
        List<InventoryStore.Change> changes = inventory.changesAfter(s.head, BATCH);
        if (changes.isEmpty()) {
          break;
        }
        apply(s, changes);
        if (changes.size() < BATCH) {
          break;
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Re-judges what Warden holds itself at the current time (expiring leases, workloads expiring). */
  public void refreshWardenSide() {
    catchUp();
    lock.writeLock().lock();
    try {
      State s = state;
      if (s != null) {
        s.judgeWardenSide(clock.instant());
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Findings matching {@code filter} in {@link Posture#ORDER}, from {@code offset}, at most {@code limit}. */
  public FindingsPage findings(Predicate<Finding> filter, int offset, int limit) {
    catchUp();
    lock.readLock().lock();
    try {
      State s = state;
      List<Finding> page = new ArrayList<>();
      Map<String, Integer> bySeverity = new TreeMap<>();
      Map<String, Integer> byOwasp = new TreeMap<>();
      int total = 0;
      Iterator<Finding> merged = merge(s.wardenFindings.iterator(), s.importedSorted.iterator(), SET_ORDER);
      while (merged.hasNext()) {
        Finding f = merged.next();
        if (!filter.test(f)) {
          continue;
        }
        if (total >= offset && page.size() < limit) {
          page.add(f);
        }
        total++;
        bySeverity.merge(f.severity().wire(), 1, Integer::sum);
        byOwasp.merge(f.owasp(), 1, Integer::sum);
      }
      return new FindingsPage(page, total, bySeverity, byOwasp, s.judgedAt);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Every finding, in {@link Posture#ORDER}. */
  public List<Finding> allFindings() {
    return findings(f -> true, 0, Integer.MAX_VALUE).findings();
  }

  /** Items matching {@code filter}, ordered by id, after {@code cursor} (null: from the start). */
  public ItemsPage items(Inventory.Filter filter, String cursor, int limit) {
    catchUp();
    lock.readLock().lock();
    try {
      State s = state;
      Iterator<InventoryItem> warden = s.wardenItems.stream()
          .filter(i -> cursor == null || i.id().compareTo(cursor) > 0).filter(filter::test).iterator();
      Iterator<String> ids = filter.owner() != null
          ? s.byOwner.ids(filter.owner()).iterator()
          : (cursor == null ? s.imported.keySet() : s.imported.tailMap(cursor, false).keySet()).iterator();
      Iterator<InventoryItem> imported = new Iterator<>() {
        InventoryItem next = advance();

        private InventoryItem advance() {
          while (ids.hasNext()) {
            String id = ids.next();
            if (cursor != null && id.compareTo(cursor) <= 0) {
              continue;
            }
            ImportedNhi n = s.imported.get(id);
            if (filter.testImported(n)) {
              return Inventory.importedItem(n, id);
            }
          }
          return null;
        }

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public InventoryItem next() {
          InventoryItem i = next;
          next = advance();
          return i;
        }
      };
      Iterator<InventoryItem> merged = merge(warden, imported, Comparator.comparing(InventoryItem::id));
      List<InventoryItem> out = new ArrayList<>();
      while (merged.hasNext() && out.size() < limit) {
        out.add(merged.next());
      }
      return new ItemsPage(out, merged.hasNext() && !out.isEmpty() ? out.get(out.size() - 1).id() : null);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The facts the state holds, as of its last catch-up (for maturity, blast radius, indicators). */
  public InventoryFacts facts() {
    catchUp();
    lock.readLock().lock();
    try {
      State s = state;
      return s.facts(clock.instant(), new ArrayList<>(s.imported.values()), false);
    } finally {
      lock.readLock().unlock();
    }
  }

  private State load() {
    Instant now = clock.instant();
    Duration window = thresholds.unusedGrant().compareTo(thresholds.stale()) > 0
        ? thresholds.unusedGrant() : thresholds.stale();
    InventoryStore.Baseline b = inventory.baseline(now, now.minus(window),
        !thresholds.workstationCidrs().isEmpty());
    State s = new State(thresholds);
    s.head = b.head();
    s.workloads.clear();
    store.workloads().list().forEach(v -> s.workloads.put(v.value().name(), v.value()));
    store.resources().list().forEach(v -> s.resources.put(v.value().name(), v.value()));
    store.policies().list().forEach(v -> s.policies.put(v.value().name(), v.value()));
    s.adminTokens = store.adminTokens().list();
    s.leaks = inventory.leaks();
    s.departed = new HashMap<>(inventory.departedOwners());
    s.workloadCreated.putAll(inventory.firstWritten(Kind.WORKLOAD.wire()));
    for (Usage u : b.usage()) {
      s.usage.put(pair(u.workload(), u.resource()), new UsageAcc(u.workload(), u.resource(), u.count(),
          u.lastIssued(), new LinkedHashSet<>(u.sourceAddresses())));
    }
    for (LeaseSummary l : b.leases()) {
      s.leaseAggs.put(pair(l.workload(), l.resource()), new LeaseAcc(l.workload(), l.resource(), l.count(),
          l.firstIssued(), l.lastIssued(), l.longestTtl(), l.lastExpiry()));
    }
    b.live().forEach(l -> s.live.put(l.id(), l));
    for (ImportedNhi n : b.imported()) {
      String id = n.id();
      s.imported.put(id, n);
      s.byFingerprint.add(n.fingerprint(), id);
      s.byOwner.add(n.owner(), id);
    }
    s.knownOwners = Posture.knownOwners(s.workloads.values());
    s.foreignLeaks = Posture.foreignLeaks(s.leaks);
    s.judgeAll(now);
    return s;
  }

  private void apply(State s, List<InventoryStore.Change> changes) {
    Instant now = clock.instant();
    boolean warden = false;
    boolean leaks = false;
    boolean departed = false;
    boolean tokens = false;
    Instant importedSince = null;
    Map<Kind, Set<String>> objects = new HashMap<>();
    for (InventoryStore.Change c : changes) {
      String type = c.type();
      switch (type) {
        case "token.issued" -> {
          s.recordIssuance(c);
          warden = true;
        }
        case "lease.revoked" -> {
          String id = c.details().get("leaseId");
          if (id != null) {
            s.live.remove(id);
          }
          leaks |= "leaked".equals(c.reason());
          warden = true;
        }
        case "secret.leaked" -> leaks = true;
        case "config.created", "config.updated", "config.deleted" -> {
          try {
            Kind k = Kind.parse(c.details().getOrDefault("kind", ""));
            String name = c.details().get("name");
            if (name != null) {
              objects.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(name);
            }
          } catch (RuntimeException e) {
            // a kind this index does not hold (a trust provider): nothing to re-judge
          }
          warden = true;
        }
        case "inventory.imported", "owner.departed" -> {
          Instant at = since(c);
          importedSince = importedSince == null || at.isBefore(importedSince) ? at : importedSince;
          departed |= type.equals("owner.departed");
          warden = true;
        }
        default -> {
          if (type.startsWith("admin_token.")) {
            tokens = true;
            warden = true;
          } else if (type.equals("workload.retired")) {
            warden = true;
          }
        }
      }
      s.head = c.seq();
    }
    Set<String> affected = new HashSet<>();
    Set<String> owners = new HashSet<>();
    for (Map.Entry<Kind, Set<String>> e : objects.entrySet()) {
      for (String name : e.getValue()) {
        switch (e.getKey()) {
          case WORKLOAD -> put(s.workloads, name, store.workloads().get(name));
          case RESOURCE -> put(s.resources, name, store.resources().get(name));
          case ACCESS_POLICY -> put(s.policies, name, store.policies().get(name));
          default -> { }
        }
      }
    }
    if (objects.containsKey(Kind.WORKLOAD)) {
      Set<String> fresh = new HashSet<>(objects.get(Kind.WORKLOAD));
      fresh.removeAll(s.workloadCreated.keySet());
      if (!fresh.isEmpty()) {
        s.workloadCreated.putAll(inventory.firstWritten(Kind.WORKLOAD.wire(), fresh));
      }
      Set<String> known = Posture.knownOwners(s.workloads.values());
      symmetricDifference(s.knownOwners, known, owners);
      s.knownOwners = known;
    }
    if (tokens) {
      s.adminTokens = store.adminTokens().list();
    }
    if (departed) {
      Map<String, Instant> now2 = new HashMap<>(inventory.departedOwners());
      symmetricDifference(s.departed.keySet(), now2.keySet(), owners);
      s.departed = now2;
    }
    for (String o : owners) {
      affected.addAll(s.byOwner.ids(o));
    }
    if (leaks) {
      s.leaks = inventory.leaks();
      Map<String, LeakRecord> foreign = Posture.foreignLeaks(s.leaks);
      Set<String> fps = new HashSet<>();
      symmetricDifference(s.foreignLeaks.keySet(), foreign.keySet(), fps);
      s.foreignLeaks = foreign;
      fps.forEach(fp -> affected.addAll(s.byFingerprint.ids(fp)));
      warden = true;
    }
    if (importedSince != null) {
      for (ImportedNhi n : inventory.importedSince(importedSince)) {
        String id = n.id();
        ImportedNhi old = s.imported.put(id, n);
        if (n.equals(old)) {
          continue;
        }
        affected.add(id);
        if (old != null) {
          affected.addAll(s.byFingerprint.ids(old.fingerprint()));
          s.byFingerprint.remove(old.fingerprint(), id);
          s.byOwner.remove(old.owner(), id);
        }
        s.byFingerprint.add(n.fingerprint(), id);
        s.byOwner.add(n.owner(), id);
        affected.addAll(s.byFingerprint.ids(n.fingerprint()));
      }
    }
    for (String id : affected) {
      s.judgeImported(id, now);
    }
    if (warden) {
      s.judgeWardenSide(now);
    }
  }

  /** The time an import or reassignment stamped its rows with, recorded in its event. */
  private static Instant since(InventoryStore.Change c) {
    String at = c.details().get("changedAt");
    if (at != null) {
      try {
        return Instant.parse(at);
      } catch (java.time.format.DateTimeParseException e) {
        // fall through: an older event without the stamp
      }
    }
    // events written before the stamp existed: any row written in the hour before is re-read
    return c.at().minus(Duration.ofHours(1));
  }

  private static <T> void put(Map<String, T> m, String name, java.util.Optional<Versioned<T>> v) {
    if (v.isPresent()) {
      m.put(name, v.get().value());
    } else {
      m.remove(name);
    }
  }

  private static void symmetricDifference(Set<String> a, Set<String> b, Set<String> out) {
    for (String x : a) {
      if (!b.contains(x)) {
        out.add(x);
      }
    }
    for (String x : b) {
      if (!a.contains(x)) {
        out.add(x);
      }
    }
  }

  static String pair(String workload, String resource) {
    return workload + "\0" + resource;
  }

  /** Merges two iterators already ordered by {@code order}. */
  static <T> Iterator<T> merge(Iterator<T> a, Iterator<T> b, Comparator<? super T> order) {
    return new Iterator<>() {
      T x = a.hasNext() ? a.next() : null;
      T y = b.hasNext() ? b.next() : null;

      @Override
      public boolean hasNext() {
        return x != null || y != null;
      }

      @Override
      public T next() {
        T out;
        if (y == null || (x != null && order.compare(x, y) <= 0)) {
          out = x;
          x = a.hasNext() ? a.next() : null;
        } else {
          out = y;
          y = b.hasNext() ? b.next() : null;
        }
        return out;
      }
    };
  }

  /** Token issuance per (workload, resource), accumulated. */
  private static final class UsageAcc {
    final String workload;
    final String resource;
    long count;
    Instant last;
    final Set<String> addresses;

    UsageAcc(String workload, String resource, long count, Instant last, Set<String> addresses) {
      this.workload = workload;
      this.resource = resource;
      this.count = count;
      this.last = last;
      this.addresses = addresses;
    }

    Usage value() {
      return new Usage(workload, resource, count, last, addresses);
    }
  }

  /** Leases per (workload, resource), accumulated; live ones are counted from {@link State#live}. */
  private static final class LeaseAcc {
    final String workload;
    final String resource;
    long count;
    Instant first;
    Instant last;
    Duration longestTtl;
    Instant lastExpiry;

    LeaseAcc(String workload, String resource, long count, Instant first, Instant last, Duration longestTtl,
        Instant lastExpiry) {
      this.workload = workload;
      this.resource = resource;
      this.count = count;
      this.first = first;
      this.last = last;
      this.longestTtl = longestTtl;
      this.lastExpiry = lastExpiry;
    }
  }

  /** Everything the index holds; mutated only under the write lock (or before it is published). */
  private static final class State {
    final PostureThresholds thresholds;
    long head;
    Instant judgedAt;
    final TreeMap<String, Workload> workloads = new TreeMap<>();
    final TreeMap<String, Resource> resources = new TreeMap<>();
    final TreeMap<String, AccessPolicy> policies = new TreeMap<>();
    List<AdminToken> adminTokens = List.of();
    List<LeakRecord> leaks = List.of();
    Map<String, Instant> departed = new HashMap<>();
    final Map<String, Instant> workloadCreated = new HashMap<>();
    final Map<String, UsageAcc> usage = new HashMap<>();
    final Map<String, LeaseAcc> leaseAggs = new HashMap<>();
    final Map<String, InventoryStore.LiveLease> live = new HashMap<>();
    final TreeMap<String, ImportedNhi> imported = new TreeMap<>();
    final IdIndex byFingerprint = new IdIndex();
    final IdIndex byOwner = new IdIndex();
    final Map<String, List<Finding>> importedFindings = new HashMap<>();
    final TreeSet<Finding> importedSorted = new TreeSet<>(SET_ORDER);
    Set<String> knownOwners = Set.of();
    Map<String, LeakRecord> foreignLeaks = Map.of();
    List<InventoryItem> wardenItems = List.of();
    List<Finding> wardenFindings = List.of();

    State(PostureThresholds thresholds) {
      this.thresholds = thresholds;
    }

    Posture.Context context(Instant now) {
      return new Posture.Context(now, thresholds, knownOwners, departed, this::group, foreignLeaks);
    }

    List<ImportedNhi> group(String fingerprint) {
      Collection<String> ids = byFingerprint.ids(fingerprint);
      List<ImportedNhi> out = new ArrayList<>(ids.size());
      ids.forEach(id -> out.add(imported.get(id)));
      return out;
    }

    void recordIssuance(InventoryStore.Change c) {
      if (c.workload() == null) {
        return;
      }
      String key = pair(c.workload(), c.resource());
      UsageAcc u = usage.computeIfAbsent(key, k -> new UsageAcc(c.workload(), c.resource(), 0, c.at(),
          new LinkedHashSet<>()));
      u.count++;
      u.last = u.last == null || c.at().isAfter(u.last) ? c.at() : u.last;
      String addr = c.details().get("sourceAddress");
      if (addr != null && !addr.isEmpty() && u.addresses.size() < 64) {
        u.addresses.add(addr);
      }
      if (c.leaseId() == null || c.leaseExpires() == null) {
        return;
      }
      Duration ttl = Duration.between(c.at(), c.leaseExpires());
      LeaseAcc l = leaseAggs.get(key);
      if (l == null) {
        leaseAggs.put(key, new LeaseAcc(c.workload(), c.resource(), 1, c.at(), c.at(), ttl, c.leaseExpires()));
      } else {
        l.count++;
        l.first = c.at().isBefore(l.first) ? c.at() : l.first;
        l.last = c.at().isAfter(l.last) ? c.at() : l.last;
        l.longestTtl = ttl.compareTo(l.longestTtl) > 0 ? ttl : l.longestTtl;
        l.lastExpiry = c.leaseExpires().isAfter(l.lastExpiry) ? c.leaseExpires() : l.lastExpiry;
      }
      live.put(c.leaseId(), new InventoryStore.LiveLease(c.leaseId(), c.workload(), c.resource(), c.leaseExpires()));
    }

    /** The facts as of {@code now}; {@code prune} (only under the write lock) forgets expired leases. */
    InventoryFacts facts(Instant now, List<ImportedNhi> importedItems, boolean prune) {
      Map<String, long[]> active = new HashMap<>();
      for (Iterator<InventoryStore.LiveLease> it = live.values().iterator(); it.hasNext();) {
        InventoryStore.LiveLease l = it.next();
        if (!l.expiresAt().isAfter(now)) {
          if (prune) {
            it.remove();
          }
        } else {
          active.computeIfAbsent(pair(l.workload(), l.resource()), k -> new long[1])[0]++;
        }
      }
      List<LeaseSummary> leases = new ArrayList<>(leaseAggs.size());
      for (Map.Entry<String, LeaseAcc> e : leaseAggs.entrySet()) {
        LeaseAcc a = e.getValue();
        long[] n = active.get(e.getKey());
        leases.add(new LeaseSummary(a.workload, a.resource, a.count, n == null ? 0 : n[0], a.first, a.last,
            a.longestTtl, a.lastExpiry));
      }
      leases.sort(Comparator.comparing((LeaseSummary l) -> Objects.toString(l.workload(), ""))
          .thenComparing(l -> Objects.toString(l.resource(), "")));
      List<Usage> used = new ArrayList<>(usage.size());
      usage.values().forEach(u -> used.add(u.value()));
      return new InventoryFacts(now, new ArrayList<>(workloads.values()), workloadCreated,
          new ArrayList<>(resources.values()), new ArrayList<>(policies.values()), adminTokens, importedItems, leases,
          used, leaks, departed);
    }

    void judgeWardenSide(Instant now) {
      InventoryFacts f = facts(now, List.of(), true);
      Posture.Context ctx = context(now);
      List<InventoryItem> items = Inventory.wardenItems(f, fp -> Posture.first(ctx, fp));
      items.sort(Comparator.comparing(InventoryItem::id));
      List<Finding> findings = new ArrayList<>(Posture.wardenSide(f, thresholds, ctx));
      findings.sort(SET_ORDER);
      wardenItems = List.copyOf(items);
      wardenFindings = List.copyOf(findings);
      judgedAt = now;
    }

    void judgeImported(String id, Instant now) {
      List<Finding> old = importedFindings.remove(id);
      if (old != null) {
        old.forEach(importedSorted::remove);
      }
      ImportedNhi n = imported.get(id);
      if (n == null) {
        return;
      }
      List<Finding> fresh = Posture.imported(n, id, context(now));
      if (!fresh.isEmpty()) {
        importedFindings.put(id, fresh);
        importedSorted.addAll(fresh);
      }
    }

    void judgeAll(Instant now) {
      Posture.Context ctx = context(now);
      importedFindings.clear();
      importedSorted.clear();
      for (Map.Entry<String, ImportedNhi> e : imported.entrySet()) {
        List<Finding> fresh = Posture.imported(e.getValue(), e.getKey(), ctx);
        if (!fresh.isEmpty()) {
          importedFindings.put(e.getKey(), fresh);
          importedSorted.addAll(fresh);
        }
      }
      judgeWardenSide(now);
    }
  }
}
