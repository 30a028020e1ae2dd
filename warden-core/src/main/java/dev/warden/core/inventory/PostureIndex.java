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

/**
 * The inventory and its findings under the configured thresholds, kept in memory and brought up to
 * date from the audit log instead of recomputed per request (decision 504).
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
  private static final System.Logger LOG = System.getLogger(PostureIndex.class.getName());
  /**
   * Catching up on more events than this is slower than reading everything again (measured: a
   * rebuild at a million items takes ~40 s; a catch-up applies 110,000-170,000 issuance events/s).
   */
  static final int MAX_CATCH_UP = 2_000_000;
  private static final int BATCH = 20_000;
  /** During a long catch-up, re-judge at least this often so that readers see progress. */
  private static final int JUDGE_EVERY = 500_000;
  private static final int REFRESH_SLICE = 500;

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
  private final java.util.concurrent.locks.ReentrantLock catchingUp = new java.util.concurrent.locks.ReentrantLock();
  private volatile State state;
  private volatile Finding.Severity noticeFrom;
  private volatile java.util.function.Consumer<List<Finding>> noticeListener;

  public PostureIndex(Store store, InventoryStore inventory, Clock clock, PostureThresholds thresholds) {
    this.store = store;
    this.inventory = inventory;
    this.clock = clock;
    this.thresholds = thresholds;
  }

  public PostureThresholds thresholds() {
    return thresholds;
  }

  /**
   * Hands findings of at least {@code from} that a change brought (a catch-up or the periodic
   * refresh, not a rebuild) to {@code listener}, after the index is unlocked. A finding is new when
   * its unit had no finding of the same rule on the same item before.
   */
  public void onNewFindings(Finding.Severity from, java.util.function.Consumer<List<Finding>> listener) {
    this.noticeFrom = from;
    this.noticeListener = listener;
  }

  /** The least severity to announce, or null when nobody listens. */
  private Finding.Severity announcing() {
    return noticeListener == null ? null : noticeFrom;
  }

  private void announce(List<Finding> found) {
    java.util.function.Consumer<List<Finding>> l = noticeListener;
    if (l != null && found != null && !found.isEmpty()) {
      try {
        l.accept(List.copyOf(found));
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "announcing new posture findings failed: " + e.getMessage());
      }
    }
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
    List<Finding> found;
    synchronized (rebuilding) {
      State before = state;
      State next = load();
      found = appeared(before, next);
      swapIn(next);
    }
    announce(found);
    catchUp();
  }

  /**
   * Findings of at least the announced severity in {@code next} on a (rule, item) that had none in
   * {@code before}: what the passage of time brought (a secret turning 90 days old). None at the
   * first load, which would announce the whole estate.
   */
  private List<Finding> appeared(State before, State next) {
    Finding.Severity from = announcing();
    if (before == null || from == null) {
      return List.of();
    }
    List<Finding> out = new ArrayList<>();
    lock.readLock().lock();
    try {
      for (Map.Entry<Part, TreeSet<Finding>> e : next.findings.entrySet()) {
        if (e.getKey().severity().compareTo(from) < 0) {
          continue;
        }
        Set<String> had = new HashSet<>();
        TreeSet<Finding> old = before.findings.get(e.getKey());
        if (old != null) {
          old.forEach(f -> had.add(f.itemId()));
        }
        for (Finding f : e.getValue()) {
          if (!had.contains(f.itemId())) {
            out.add(f);
          }
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    return out;
  }

  private void swapIn(State next) {
    lock.writeLock().lock();
    try {
      state = next;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** How much the index holds (items and findings), and how long its last rebuild took to read and to judge. */
  public record Size(int imported, int wardenItems, int findings, long head, long readMillis, long judgeMillis) {}

  public Size size() {
    lock.readLock().lock();
    try {
      State s = state;
      return s == null ? new Size(0, 0, 0, 0, 0, 0)
          : new Size(s.imported.size(), s.wardenItems.size(),
          s.findings.values().stream().mapToInt(Set::size).sum(), s.head, s.readMillis, s.judgeMillis);
    } finally {
      lock.readLock().unlock();
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
      // the first read before the start-up rebuild finished: wait for it rather than read twice
      synchronized (rebuilding) {
        if (state == null) {
          swapIn(load());
        }
      }
      s = state;
    }
    long head = inventory.auditHead();
    if (head <= s.head && !s.broken) {
      return;
    }
    if (head - s.head > MAX_CATCH_UP || s.broken) {
      // far behind (a restore, a bulk load): read everything again, once, however many callers notice
      synchronized (rebuilding) {
        if (state.broken || inventory.auditHead() - state.head > MAX_CATCH_UP) {
          swapIn(load());
        }
      }
      s = state;
    }
    // one catch-up at a time keeps events in order; the events are read outside the state lock,
    // so readers wait only while they are applied
    catchingUp.lock();
    long t0 = System.nanoTime();
    int events = 0;
    int sinceJudged = 0;
    List<Finding> found = new ArrayList<>();
    try {
      State cur = state;
      Pending pending = new Pending();
      while (true) {
        List<InventoryStore.Change> changes = inventory.changesAfter(cur.head, BATCH);
        lock.writeLock().lock();
        try {
          if (state != cur) {
            // a rebuild swapped in a newer state meanwhile: go on from its sequence
            cur = state;
            pending = new Pending();
            continue;
          }
          if (!changes.isEmpty()) {
            apply(cur, changes, pending);
            events += changes.size();
            sinceJudged += changes.size();
          }
          // re-judge once per catch-up, not per batch: a burst of issuance touches each workload once
          if ((changes.size() < BATCH || sinceJudged >= JUDGE_EVERY) && !pending.isEmpty()) {
            cur.collect(found, announcing());
            try {
              judge(cur, pending);
            } finally {
              cur.collect(null, null);
            }
            pending = new Pending();
            sinceJudged = 0;
          }
        } catch (RuntimeException e) {
          // half-applied (usage counted, the rest not): only a full read is right again
          cur.broken = true;
          throw e;
        } finally {
          lock.writeLock().unlock();
        }
        if (changes.size() < BATCH) {
          break;
        }
      }
    } finally {
      catchingUp.unlock();
    }
    announce(found);
    if (events >= 10_000) {
      LOG.log(System.Logger.Level.INFO, "posture index caught up on " + events + " audit events in "
          + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
  }


  /** Re-judges what Warden holds itself at the current time (expiring leases, workloads expiring). */
  public void refreshWardenSide() {
    catchUp();
    State s = state;
    if (s == null) {
      return;
    }
    List<String> units;
    lock.readLock().lock();
    try {
      units = new ArrayList<>(s.workloadUnits());
    } finally {
      lock.readLock().unlock();
    }
    // in slices, so that readers wait for one slice at most rather than for every workload
    List<Finding> found = new ArrayList<>();
    for (int i = 0; i < units.size(); i += REFRESH_SLICE) {
      lock.writeLock().lock();
      try {
        Instant now = clock.instant();
        Posture.Context ctx = s.context(now);
        s.collect(found, announcing());
        for (String w : units.subList(i, Math.min(units.size(), i + REFRESH_SLICE))) {
          s.judgeWorkload(w, now, ctx);
        }
      } finally {
        s.collect(null, null);
        lock.writeLock().unlock();
      }
    }
    lock.writeLock().lock();
    try {
      Instant now = clock.instant();
      s.collect(found, announcing());
      s.judgeGlobal(now, s.context(now));
      s.judgedAt = now;
    } finally {
      s.collect(null, null);
      lock.writeLock().unlock();
    }
    announce(found);
  }

  /**
   * Findings in {@link Posture#ORDER}, from {@code offset}, at most {@code limit}, with counts over
   * every match.
   *
   * @param severity only this severity (its wire name), or null
   * @param rule only this rule id or OWASP id (any case), or null
   */
  public FindingsPage findings(String severity, String rule, int offset, int limit) {
    catchUp();
    lock.readLock().lock();
    try {
      State s = state;
      List<Finding> page = new ArrayList<>();
      Map<String, Integer> bySeverity = new TreeMap<>();
      Map<String, Integer> byOwasp = new TreeMap<>();
      int total = 0;
      int skip = offset;
      for (Map.Entry<Part, TreeSet<Finding>> e : s.findings.entrySet()) {
        Part p = e.getKey();
        if ((severity != null && !p.severity().wire().equals(severity))
            || (rule != null && !p.ruleId().equals(rule) && !p.owasp().equalsIgnoreCase(rule))) {
          continue;
        }
        int n = e.getValue().size();
        total += n;
        bySeverity.merge(p.severity().wire(), n, Integer::sum);
        byOwasp.merge(p.owasp(), n, Integer::sum);
        if (page.size() >= limit) {
          continue;
        }
        if (skip >= n) {
          skip -= n;
          continue;
        }
        for (Finding f : e.getValue()) {
          if (skip > 0) {
            skip--;
          } else if (page.size() < limit) {
            page.add(f);
          } else {
            break;
          }
        }
      }
      return new FindingsPage(page, total, bySeverity, byOwasp, s.judgedAt);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Every finding, in {@link Posture#ORDER}. */
  public List<Finding> allFindings() {
    return findings(null, null, 0, Integer.MAX_VALUE).findings();
  }

  /** Items matching {@code filter}, ordered by id, after {@code cursor} (null: from the start). */
  public ItemsPage items(Inventory.Filter filter, String cursor, int limit) {
    catchUp();
    lock.readLock().lock();
    try {
      State s = state;
      Iterator<InventoryItem> warden = (cursor == null ? s.wardenItems : s.wardenItems.tailMap(cursor, false))
          .values().stream().filter(filter::test).iterator();
      // walk the smallest index that the filter names; with none, walk everything in id order
      IdIndex best = null;
      String key = null;
      for (Object[] c : new Object[][] {{s.byOwner, filter.owner()}, {s.byTeam, filter.team()},
          {s.byEnvironment, filter.environment()}, {s.byKind, filter.kind()}}) {
        IdIndex ix = (IdIndex) c[0];
        String k = (String) c[1];
        if (k != null && (best == null || ix.size(k) < best.size(key))) {
          best = ix;
          key = k;
        }
      }
      Iterator<Map.Entry<String, ImportedNhi>> entries;
      if (best != null) {
        Iterator<String> ids = best.after(key, cursor).iterator();
        entries = new Iterator<>() {
          @Override
          public boolean hasNext() {
            return ids.hasNext();
          }

          @Override
          public Map.Entry<String, ImportedNhi> next() {
            String id = ids.next();
            return Map.entry(id, s.imported.get(id));
          }
        };
      } else {
        entries = (cursor == null ? s.imported : s.imported.tailMap(cursor, false)).entrySet().iterator();
      }
      Iterator<InventoryItem> imported = new Iterator<>() {
        InventoryItem next = advance();

        private InventoryItem advance() {
          while (entries.hasNext()) {
            Map.Entry<String, ImportedNhi> e = entries.next();
            if (filter.testImported(e.getValue())) {
              return Inventory.importedItem(e.getValue(), e.getKey());
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

  /** One inventory item by id, if the index holds it. */
  public java.util.Optional<InventoryItem> item(String id) {
    catchUp();
    lock.readLock().lock();
    try {
      State s = state;
      InventoryItem w = s.wardenItems.get(id);
      if (w != null) {
        return java.util.Optional.of(w);
      }
      ImportedNhi n = s.imported.get(id);
      return n == null ? java.util.Optional.empty() : java.util.Optional.of(Inventory.importedItem(n, id));
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
      return s.facts(clock.instant(), null, new ArrayList<>(s.imported.values()));
    } finally {
      lock.readLock().unlock();
    }
  }

  private State load() {
    long started = System.nanoTime();
    Instant now = clock.instant();
    Duration window = thresholds.unusedGrant().compareTo(thresholds.stale()) > 0
        ? thresholds.unusedGrant() : thresholds.stale();
    InventoryStore.Baseline b = inventory.baseline(now, now.minus(window),
        !thresholds.workstationCidrs().isEmpty());
    State s = new State(thresholds);
    long t0 = System.nanoTime();
    s.head = b.head();
    store.workloads().list().forEach(v -> s.workloads.put(v.value().name(), v.value()));
    store.resources().list().forEach(v -> s.resources.put(v.value().name(), v.value()));
    store.policies().list().forEach(v -> s.policies.put(v.value().name(), v.value()));
    s.adminTokens = store.adminTokens().list();
    s.setLeaks(inventory.leaks());
    s.departed = Map.copyOf(inventory.departedOwners());
    s.workloadCreated.putAll(inventory.firstWritten(Kind.WORKLOAD.wire()));
    for (Usage u : b.usage()) {
      s.usage.computeIfAbsent(u.workload(), k -> new HashMap<>()).put(u.resource(), new UsageAcc(u.workload(),
          u.resource(), u.count(), u.lastIssued(), new LinkedHashSet<>(u.sourceAddresses())));
    }
    for (LeaseSummary l : b.leases()) {
      s.leaseAggs.computeIfAbsent(l.workload(), k -> new HashMap<>()).put(l.resource(), new LeaseAcc(l.workload(),
          l.resource(), l.count(), l.firstIssued(), l.lastIssued(), l.longestTtl(), l.lastExpiry()));
    }
    b.live().forEach(s::addLive);
    for (ImportedNhi n : b.imported()) {
      s.putImported(n.id(), n);
    }
    s.knownOwners = Posture.knownOwners(s.workloads.values());
    long t1 = System.nanoTime();
    s.judgeAll(now);
    s.readMillis = (t1 - t0) / 1_000_000 + (t0 - started) / 1_000_000;
    s.judgeMillis = (System.nanoTime() - t1) / 1_000_000;
    return s;
  }

  /** What a catch-up has to re-judge once all its events are applied. */
  private static final class Pending {
    final Set<String> affected = new HashSet<>();
    final Set<String> dirtyWorkloads = new HashSet<>();
    boolean everyWorkload;
    boolean global;

    boolean isEmpty() {
      return affected.isEmpty() && dirtyWorkloads.isEmpty() && !everyWorkload && !global;
    }
  }

  /** Applies events to the facts and notes what they touch; {@link #judge} re-judges it. */
  private void apply(State s, List<InventoryStore.Change> changes, Pending pending) {
    boolean leaks = false;
    boolean departed = false;
    boolean tokens = false;
    boolean everyWorkload = false;
    Instant importedSince = null;
    Set<String> dirtyWorkloads = pending.dirtyWorkloads;
    Map<Kind, Set<String>> objects = new HashMap<>();
    for (InventoryStore.Change c : changes) {
      String type = c.type();
      switch (type) {
        case "token.issued" -> {
          s.recordIssuance(c);
          if (c.workload() != null) {
            dirtyWorkloads.add(c.workload());
          }
        }
        case "lease.revoked" -> {
          s.removeLive(c.details().get("leaseId"));
          if (c.workload() != null) {
            dirtyWorkloads.add(c.workload());
          }
          leaks |= "leaked".equals(c.reason());
        }
        case "secret.leaked" -> leaks = true;
        case "config.created", "config.updated", "config.deleted" -> {
          Map<String, String> d = c.details();
          try {
            Kind k = Kind.parse(d.getOrDefault("kind", ""));
            String name = d.get("name");
            if (name != null) {
              objects.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(name);
            }
          } catch (dev.warden.core.error.ValidationException e) {
            // not a kind the inventory holds: nothing to re-judge
          }
        }
        case "inventory.imported", "owner.departed" -> {
          Instant at = since(c);
          importedSince = importedSince == null || at.isBefore(importedSince) ? at : importedSince;
          departed |= type.equals("owner.departed");
        }
        default -> tokens |= type.startsWith("admin_token.");
      }
      s.head = c.seq();
    }
    Set<String> affected = pending.affected;
    Set<String> owners = new HashSet<>();
    for (Map.Entry<Kind, Set<String>> e : objects.entrySet()) {
      for (String name : e.getValue()) {
        switch (e.getKey()) {
          case WORKLOAD -> {
            put(s.workloads, name, store.workloads().get(name));
            dirtyWorkloads.add(name);
          }
          case RESOURCE -> {
            put(s.resources, name, store.resources().get(name));
            s.resourceList = null;
            everyWorkload = true;
          }
          case ACCESS_POLICY -> {
            put(s.policies, name, store.policies().get(name));
            s.resourceList = null;
            everyWorkload = true;
          }
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
    boolean global = tokens;
    if (departed) {
      Map<String, Instant> latest = Map.copyOf(inventory.departedOwners());
      Set<String> changed = new HashSet<>();
      symmetricDifference(s.departed.keySet(), latest.keySet(), changed);
      s.departed = latest;
      owners.addAll(changed);
      if (!changed.isEmpty()) {
        everyWorkload = true;
        global = true;
      }
    }
    for (String o : owners) {
      affected.addAll(s.byOwner.ids(o));
    }
    if (leaks) {
      Map<String, LeakRecord> before = s.foreignLeaks;
      Set<String> leakWorkloads = new HashSet<>(s.issuedLeaks.keySet());
      s.setLeaks(inventory.leaks());
      leakWorkloads.addAll(s.issuedLeaks.keySet());
      dirtyWorkloads.addAll(leakWorkloads);
      Set<String> fps = new HashSet<>();
      symmetricDifference(before.keySet(), s.foreignLeaks.keySet(), fps);
      fps.forEach(fp -> affected.addAll(s.byFingerprint.ids(fp)));
      global = true;
    }
    if (importedSince != null) {
      for (ImportedNhi n : inventory.importedSince(importedSince)) {
        String id = n.id();
        ImportedNhi old = s.imported.get(id);
        if (n.equals(old)) {
          continue;
        }
        if (old != null) {
          affected.addAll(s.byFingerprint.ids(old.fingerprint()));
        }
        s.putImported(id, n);
        affected.add(id);
        affected.addAll(s.byFingerprint.ids(n.fingerprint()));
        // a foreign leak takes its owner from the first imported item with its fingerprint
        global |= (old != null && s.foreignLeaks.containsKey(old.fingerprint()))
            || s.foreignLeaks.containsKey(n.fingerprint());
      }
    }
    pending.everyWorkload |= everyWorkload;
    pending.global |= global;
  }

  private void judge(State s, Pending pending) {
    Instant now = clock.instant();
    Posture.Context ctx = s.context(now);
    for (String id : pending.affected) {
      s.judgeImported(id, ctx);
    }
    if (pending.everyWorkload) {
      s.judgeWardenSide(now);
      return;
    }
    for (String w : pending.dirtyWorkloads) {
      s.judgeWorkload(w, now, ctx);
    }
    if (pending.global) {
      s.judgeGlobal(now, ctx);
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

  /** Findings of one severity and rule: the order of {@link Posture#ORDER} puts them together. */
  record Part(Finding.Severity severity, String ruleId, String owasp) {
    static final Comparator<Part> ORDER = Comparator.comparing(Part::severity).reversed()
        .thenComparing(Part::ruleId).thenComparing(Part::owasp);

    static Part of(Finding f) {
      return new Part(f.severity(), f.ruleId(), f.owasp());
    }
  }

  /** Everything the index holds; mutated only under the write lock (or before it is published). */
  private static final class State {
    private static final String GLOBAL = "global";
    final PostureThresholds thresholds;
    long head;
    Instant judgedAt;
    long readMillis;
    long judgeMillis;
    /** A catch-up failed half-way: the next one reads everything again. */
    volatile boolean broken;
    /** While a change is judged: where findings it brings are collected (null: not collected). */
    private List<Finding> noticed;
    private Finding.Severity noticeFrom;

    /** Collects new findings of at least {@code from} into {@code into} from now on; (null, null) stops. */
    void collect(List<Finding> into, Finding.Severity from) {
      noticed = from == null ? null : into;
      noticeFrom = from;
    }
    final TreeMap<String, Workload> workloads = new TreeMap<>();
    final TreeMap<String, Resource> resources = new TreeMap<>();
    final TreeMap<String, AccessPolicy> policies = new TreeMap<>();
    List<AdminToken> adminTokens = List.of();
    List<LeakRecord> leaks = List.of();
    /** Issued-credential leaks by workload (a workload's unit holds them). */
    Map<String, List<LeakRecord>> issuedLeaks = Map.of();
    Map<String, LeakRecord> foreignLeaks = Map.of();
    Map<String, Instant> departed = Map.of();
    final Map<String, Instant> workloadCreated = new HashMap<>();
    /** Usage and lease aggregates by workload, then resource. */
    final Map<String, Map<String, UsageAcc>> usage = new HashMap<>();
    final Map<String, Map<String, LeaseAcc>> leaseAggs = new HashMap<>();
    final Map<String, Map<String, InventoryStore.LiveLease>> live = new HashMap<>();
    final Map<String, String> liveWorkload = new HashMap<>();
    final TreeMap<String, ImportedNhi> imported = new TreeMap<>();
    final IdIndex byFingerprint = new IdIndex();
    final IdIndex byOwner = new IdIndex();
    final IdIndex byTeam = new IdIndex();
    final IdIndex byEnvironment = new IdIndex();
    final IdIndex byKind = new IdIndex();
    Set<String> knownOwners = Set.of();
    /** Immutable copies of resources and policies, shared by every unit's facts; null after a change. */
    List<Resource> resourceList;
    List<AccessPolicy> policyList;
    /** Every finding, by part; and what each unit (an imported id, a workload, the global rest) contributed. */
    final TreeMap<Part, TreeSet<Finding>> findings = new TreeMap<>(Part.ORDER);
    final Map<String, List<Finding>> unitFindings = new HashMap<>();
    final TreeMap<String, InventoryItem> wardenItems = new TreeMap<>();
    final Map<String, List<String>> unitItems = new HashMap<>();

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

    void putImported(String id, ImportedNhi n) {
      ImportedNhi old = imported.put(id, n);
      if (old != null) {
        byFingerprint.remove(old.fingerprint(), id);
        byOwner.remove(old.owner(), id);
        byTeam.remove(old.team(), id);
        byEnvironment.remove(old.environment(), id);
        byKind.remove(old.kind(), id);
      }
      byFingerprint.add(n.fingerprint(), id);
      byOwner.add(n.owner(), id);
      byTeam.add(n.team(), id);
      byEnvironment.add(n.environment(), id);
      byKind.add(n.kind(), id);
    }

    void setLeaks(List<LeakRecord> all) {
      leaks = List.copyOf(all);
      Map<String, List<LeakRecord>> issued = new HashMap<>();
      for (LeakRecord l : all) {
        if (l.issued()) {
          issued.computeIfAbsent(Objects.toString(l.workload(), ""), k -> new ArrayList<>()).add(l);
        }
      }
      issuedLeaks = issued;
      foreignLeaks = Posture.foreignLeaks(all);
    }

    void addLive(InventoryStore.LiveLease l) {
      String w = Objects.toString(l.workload(), "");
      live.computeIfAbsent(w, k -> new HashMap<>()).put(l.id(), l);
      liveWorkload.put(l.id(), w);
    }

    void removeLive(String leaseId) {
      String w = leaseId == null ? null : liveWorkload.remove(leaseId);
      if (w != null) {
        Map<String, InventoryStore.LiveLease> m = live.get(w);
        if (m != null) {
          m.remove(leaseId);
          if (m.isEmpty()) {
            live.remove(w);
          }
        }
      }
    }

    void recordIssuance(InventoryStore.Change c) {
      if (c.workload() == null) {
        return;
      }
      UsageAcc u = usage.computeIfAbsent(c.workload(), k -> new HashMap<>()).computeIfAbsent(c.resource(),
          k -> new UsageAcc(c.workload(), c.resource(), 0, c.at(), new LinkedHashSet<>()));
      u.count++;
      u.last = u.last == null || c.at().isAfter(u.last) ? c.at() : u.last;
      if (u.addresses.size() < 64) { // the details are parsed only while addresses are still collected
        String addr = c.details().get("sourceAddress");
        if (addr != null && !addr.isEmpty()) {
          u.addresses.add(addr);
        }
      }
      if (c.leaseId() == null || c.leaseExpires() == null || c.leaseIssued() == null) {
        return;
      }
      Instant at = c.leaseIssued();
      Duration ttl = Duration.between(at, c.leaseExpires());
      Map<String, LeaseAcc> byResource = leaseAggs.computeIfAbsent(c.workload(), k -> new HashMap<>());
      LeaseAcc l = byResource.get(c.resource());
      if (l == null) {
        byResource.put(c.resource(), new LeaseAcc(c.workload(), c.resource(), 1, at, at, ttl, c.leaseExpires()));
      } else {
        l.count++;
        l.first = at.isBefore(l.first) ? at : l.first;
        l.last = at.isAfter(l.last) ? at : l.last;
        l.longestTtl = ttl.compareTo(l.longestTtl) > 0 ? ttl : l.longestTtl;
        l.lastExpiry = c.leaseExpires().isAfter(l.lastExpiry) ? c.leaseExpires() : l.lastExpiry;
      }
      addLive(new InventoryStore.LiveLease(c.leaseId(), c.workload(), c.resource(), c.leaseExpires()));
    }

    /** Lease summaries of one workload's resources (null: of every workload), live counts as of {@code now}. */
    List<LeaseSummary> leaseSummaries(String workload, Instant now) {
      List<LeaseSummary> out = new ArrayList<>();
      Collection<String> ws = workload == null ? leaseAggs.keySet() : List.of(workload);
      for (String w : ws) {
        Map<String, LeaseAcc> byResource = leaseAggs.get(w);
        if (byResource == null) {
          continue;
        }
        Map<String, long[]> active = new HashMap<>();
        for (InventoryStore.LiveLease l : live.getOrDefault(w, Map.of()).values()) {
          if (l.expiresAt().isAfter(now)) {
            active.computeIfAbsent(l.resource(), k -> new long[1])[0]++;
          }
        }
        for (LeaseAcc a : byResource.values()) {
          long[] n = active.get(a.resource);
          out.add(new LeaseSummary(a.workload, a.resource, a.count, n == null ? 0 : n[0], a.first, a.last,
              a.longestTtl, a.lastExpiry));
        }
      }
      out.sort(Comparator.comparing((LeaseSummary l) -> Objects.toString(l.workload(), ""))
          .thenComparing(l -> Objects.toString(l.resource(), "")));
      return out;
    }

    List<Usage> usage(String workload) {
      List<Usage> out = new ArrayList<>();
      Collection<Map<String, UsageAcc>> groups = workload == null ? usage.values()
          : List.of(usage.getOrDefault(workload, Map.of()));
      groups.forEach(g -> g.values().forEach(u -> out.add(u.value())));
      return out;
    }

    /**
     * The facts as of {@code now}: of one workload's unit ({@code workload} given), or everything
     * ({@code workload} null and {@code importedItems} given).
     */
    InventoryFacts facts(Instant now, String workload, List<ImportedNhi> importedItems) {
      List<Workload> ws;
      List<LeakRecord> ls;
      Map<String, Instant> created;
      if (workload == null) {
        ws = new ArrayList<>(workloads.values());
        ls = leaks;
        created = workloadCreated;
      } else {
        // one workload's facts hold only what is its own: copying shared maps per unit is quadratic
        Workload w = workloads.get(workload);
        ws = w == null ? List.of() : List.of(w);
        ls = issuedLeaks.getOrDefault(workload, List.of());
        Instant c = workloadCreated.get(workload);
        created = c == null ? Map.of() : Map.of(workload, c);
      }
      if (resourceList == null) {
        resourceList = List.copyOf(resources.values());
        policyList = List.copyOf(policies.values());
      }
      return new InventoryFacts(now, ws, created, resourceList, policyList, workload == null ? adminTokens : List.of(),
          importedItems == null ? List.of() : importedItems, leaseSummaries(workload, now), usage(workload), ls,
          departed);
    }

    /** The unit of what Warden holds that is not any one workload's: admin tokens and foreign leaks. */
    void judgeGlobal(Instant now, Posture.Context ctx) {
      List<LeakRecord> foreign = leaks.stream().filter(l -> !l.issued()).toList();
      InventoryFacts f = new InventoryFacts(now, List.of(), Map.of(), List.of(), List.of(), adminTokens, List.of(),
          List.of(), List.of(), foreign, departed);
      replaceUnit(GLOBAL, Inventory.wardenItems(f, fp -> Posture.first(ctx, fp)), Posture.wardenSide(f, thresholds, ctx));
    }

    /** One workload's unit: its identity, the credentials issued to it, their leaks. */
    void judgeWorkload(String workload, Instant now, Posture.Context ctx) {
      Map<String, InventoryStore.LiveLease> mine = live.get(workload);
      if (mine != null) {
        mine.values().removeIf(l -> {
          boolean gone = !l.expiresAt().isAfter(now);
          if (gone) {
            liveWorkload.remove(l.id());
          }
          return gone;
        });
        if (mine.isEmpty()) {
          live.remove(workload);
        }
      }
      InventoryFacts f = facts(now, workload, null);
      replaceUnit("w\0" + workload, Inventory.wardenItems(f, fp -> null), Posture.wardenSide(f, thresholds, ctx));
    }

    void replaceUnit(String unit, List<InventoryItem> items, List<Finding> fresh) {
      List<String> oldItems = unitItems.remove(unit);
      if (oldItems != null) {
        oldItems.forEach(wardenItems::remove);
      }
      if (!items.isEmpty()) {
        List<String> ids = new ArrayList<>(items.size());
        for (InventoryItem i : items) {
          wardenItems.put(i.id(), i);
          ids.add(i.id());
        }
        unitItems.put(unit, ids);
      }
      replaceFindings(unit, fresh);
    }

    void replaceFindings(String unit, List<Finding> fresh) {
      List<Finding> old = unitFindings.remove(unit);
      if (noticed != null && noticeFrom != null && !fresh.isEmpty()) {
        Set<String> before = new HashSet<>();
        if (old != null) {
          old.forEach(f -> before.add(f.ruleId() + "\0" + f.itemId()));
        }
        for (Finding f : fresh) {
          if (f.severity().compareTo(noticeFrom) >= 0 && !before.contains(f.ruleId() + "\0" + f.itemId())) {
            noticed.add(f);
          }
        }
      }
      if (old != null) {
        for (Finding f : old) {
          Part p = Part.of(f);
          TreeSet<Finding> set = findings.get(p);
          if (set != null) {
            set.remove(f);
            if (set.isEmpty()) {
              findings.remove(p);
            }
          }
        }
      }
      if (!fresh.isEmpty()) {
        unitFindings.put(unit, fresh);
        for (Finding f : fresh) {
          findings.computeIfAbsent(Part.of(f), k -> new TreeSet<>(Posture.ORDER)).add(f);
        }
      }
    }

    void judgeImported(String id, Posture.Context ctx) {
      ImportedNhi n = imported.get(id);
      replaceFindings(id, n == null ? List.of() : Posture.imported(n, id, ctx));
    }

    /** Every workload's unit and the global one (after a policy, resource or departure change). */
    void judgeWardenSide(Instant now) {
      Posture.Context ctx = context(now);
      for (String w : workloadUnits()) {
        judgeWorkload(w, now, ctx);
      }
      judgeGlobal(now, ctx);
      judgedAt = now;
    }

    /** Every workload with anything in the index: configured, used, leased, leaked or judged before. */
    Set<String> workloadUnits() {
      Set<String> all = new HashSet<>(workloads.keySet());
      all.addAll(usage.keySet());
      all.addAll(leaseAggs.keySet());
      all.addAll(issuedLeaks.keySet());
      for (String unit : new ArrayList<>(unitItems.keySet())) {
        if (unit.startsWith("w\0")) {
          all.add(unit.substring(2));
        }
      }
      for (String unit : new ArrayList<>(unitFindings.keySet())) {
        if (unit.startsWith("w\0")) {
          all.add(unit.substring(2));
        }
      }
      return all;
    }

    void judgeAll(Instant now) {
      Posture.Context ctx = context(now);
      // the rules are pure and the state is not yet published: judge on every core, insert on one
      List<Map.Entry<String, ImportedNhi>> all = new ArrayList<>(imported.entrySet());
      List<List<Finding>> judged = all.parallelStream().map(e -> Posture.imported(e.getValue(), e.getKey(), ctx))
          .toList();
      for (int i = 0; i < all.size(); i++) {
        replaceFindings(all.get(i).getKey(), judged.get(i));
      }
      judgeWardenSide(now);
    }
  }
}
