package dev.warden.core.inventory;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.admin.AdminToken;
import dev.warden.core.document.Kind;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The inventory store and configuration in memory, for the posture index: every change is kept and
 * also written to an audit feed of {@link InventoryStore.Change}s the way the server's services
 * write it, and {@link #baseline} aggregates the kept data as the JDBC store does. Set {@link
 * #failReads} to make the reads a catch-up makes while applying events (imported rows) fail as a
 * broken database would.
 */
final class FakeInventory implements InventoryStore, IndexSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Issue(
      String leaseId,
      String workload,
      String resource,
      Instant issued,
      Instant expires,
      String address) {}

  final MutableClock clock;
  final TreeMap<String, Workload> workloads = new TreeMap<>();
  final TreeMap<String, Resource> resources = new TreeMap<>();
  final TreeMap<String, AccessPolicy> policies = new TreeMap<>();
  final List<AdminToken> adminTokens = new ArrayList<>();
  final TreeMap<String, ImportedNhi> imported = new TreeMap<>();
  final Map<String, Instant> changedAt = new HashMap<>();
  final List<LeakRecord> leaks = new ArrayList<>();
  final Map<String, Instant> departed = new HashMap<>();
  final Map<String, Instant> firstWritten = new HashMap<>();
  final List<Issue> issued = new ArrayList<>();
  final Set<String> revoked = new LinkedHashSet<>();
  final List<Change> feed = new ArrayList<>();
  int feedReads;
  int baselineReads;
  RuntimeException failReads;

  FakeInventory(MutableClock clock) {
    this.clock = clock;
  }

  // ---- changes, each with its audit event

  FakeInventory workload(Workload w) {
    workloads.put(w.name(), w);
    firstWritten.putIfAbsent(w.name(), clock.instant());
    return config("config.updated", Kind.WORKLOAD, w.name());
  }

  FakeInventory deleteWorkload(String name) {
    workloads.remove(name);
    return config("config.deleted", Kind.WORKLOAD, name);
  }

  FakeInventory resource(Resource r) {
    resources.put(r.name(), r);
    return config("config.updated", Kind.RESOURCE, r.name());
  }

  FakeInventory policy(AccessPolicy p) {
    policies.put(p.name(), p);
    return config("config.updated", Kind.ACCESS_POLICY, p.name());
  }

  private FakeInventory config(String type, Kind kind, String name) {
    return event(type, null, null, null, Map.of("kind", kind.wire(), "name", name), null);
  }

  FakeInventory importItems(ImportedNhi... items) {
    Instant now = clock.instant();
    for (ImportedNhi n : items) {
      imported.merge(n.id(), n, Importers::merge);
      changedAt.put(n.id(), now);
    }
    return event("inventory.imported", null, null, null, Map.of("changedAt", now.toString()), null);
  }

  FakeInventory depart(String owner) {
    Instant now = clock.instant();
    departed.putIfAbsent(owner, now);
    return event(
        "owner.departed",
        null,
        null,
        null,
        Map.of("owner", owner, "changedAt", now.toString()),
        null);
  }

  FakeInventory leakForeign(String fingerprint) {
    // as the store reads them: the first report of a fingerprint is when it leaked
    if (leaks.stream().noneMatch(l -> !l.issued() && l.fingerprint().equals(fingerprint))) {
      leaks.add(
          new LeakRecord(null, null, null, fingerprint, clock.instant(), "git@acme", "a.env"));
    }
    return event("secret.leaked", null, null, null, Map.of("fingerprint", fingerprint), null);
  }

  FakeInventory adminToken(AdminToken t) {
    adminTokens.add(t);
    return event("admin_token.created", null, null, null, Map.of("id", t.id()), null);
  }

  /** Issues a credential of {@code ttl}; returns its lease id. */
  String issue(String workload, String resource, Duration ttl, String address) {
    Instant now = clock.instant();
    Issue i =
        new Issue("lease-" + (issued.size() + 1), workload, resource, now, now.plus(ttl), address);
    issued.add(i);
    event(
        "token.issued",
        workload,
        resource,
        null,
        address == null ? Map.of() : Map.of("sourceAddress", address),
        i);
    return i.leaseId();
  }

  FakeInventory revoke(String leaseId, boolean leaked) {
    Issue i = issued.stream().filter(x -> x.leaseId().equals(leaseId)).findFirst().orElseThrow();
    revoked.add(leaseId);
    if (leaked) {
      leaks.add(
          new LeakRecord(
              leaseId,
              i.workload(),
              i.resource(),
              "ab".repeat(32),
              clock.instant(),
              "git@acme",
              "b.env"));
    }
    return event(
        "lease.revoked",
        i.workload(),
        i.resource(),
        leaked ? "leaked" : "revoked",
        Map.of("leaseId", leaseId),
        null);
  }

  FakeInventory event(
      String type,
      String workload,
      String resource,
      String reason,
      Map<String, String> details,
      Issue lease) {
    try {
      feed.add(
          new Change(
              feed.size() + 1,
              type,
              clock.instant(),
              workload,
              resource,
              reason,
              JSON.writeValueAsString(new LinkedHashMap<>(details)),
              lease == null ? null : lease.leaseId(),
              lease == null ? null : lease.issued(),
              lease == null ? null : lease.expires()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return this;
  }

  // ---- IndexSource

  @Override
  public List<Workload> workloads() {
    return List.copyOf(workloads.values());
  }

  @Override
  public List<Resource> resources() {
    return List.copyOf(resources.values());
  }

  @Override
  public List<AccessPolicy> policies() {
    return List.copyOf(policies.values());
  }

  @Override
  public Optional<Workload> workload(String name) {
    return Optional.ofNullable(workloads.get(name));
  }

  @Override
  public Optional<Resource> resource(String name) {
    return Optional.ofNullable(resources.get(name));
  }

  @Override
  public Optional<AccessPolicy> policy(String name) {
    return Optional.ofNullable(policies.get(name));
  }

  @Override
  public List<AdminToken> adminTokens() {
    return List.copyOf(adminTokens);
  }

  // ---- InventoryStore: what the index reads

  /**
   * Everything as one recompute would read it (usage over every issuance: tests stay inside the
   * windows).
   */
  InventoryFacts facts() {
    Instant now = clock.instant();
    return new InventoryFacts(
        now,
        workloads(),
        Map.copyOf(firstWritten),
        resources(),
        policies(),
        adminTokens(),
        List.copyOf(imported.values()),
        leaseSummaries(now),
        usage(Instant.MIN),
        leaks(),
        departedOwners());
  }

  @Override
  public Baseline baseline(Instant now, Instant usageSince, boolean withAddresses) {
    baselineReads++;
    List<LiveLease> live = new ArrayList<>();
    for (Issue i : issued) {
      if (!revoked.contains(i.leaseId()) && i.expires().isAfter(now)) {
        live.add(new LiveLease(i.leaseId(), i.workload(), i.resource(), i.expires()));
      }
    }
    return new Baseline(
        feed.size(), List.copyOf(imported.values()), leaseSummaries(now), live, usage(usageSince));
  }

  @Override
  public List<Change> changesAfter(long seq, int max) {
    feedReads++;
    return List.copyOf(
        feed.subList((int) Math.min(seq, feed.size()), (int) Math.min(seq + max, feed.size())));
  }

  @Override
  public long auditHead() {
    return feed.size();
  }

  @Override
  public List<LeakRecord> leaks() {
    return List.copyOf(leaks);
  }

  @Override
  public Map<String, Instant> departedOwners() {
    return Map.copyOf(departed);
  }

  @Override
  public Map<String, Instant> firstWritten(String kind) {
    return kind.equals(Kind.WORKLOAD.wire()) ? Map.copyOf(firstWritten) : Map.of();
  }

  @Override
  public Map<String, Instant> firstWritten(String kind, Collection<String> names) {
    Map<String, Instant> out = new HashMap<>(firstWritten(kind));
    out.keySet().retainAll(names);
    return out;
  }

  @Override
  public List<ImportedNhi> importedSince(Instant at) {
    if (failReads != null) {
      throw failReads;
    }
    return imported.values().stream().filter(n -> !changedAt.get(n.id()).isBefore(at)).toList();
  }

  @Override
  public List<LeaseSummary> leaseSummaries(Instant now) {
    Map<List<String>, List<Issue>> groups = new LinkedHashMap<>();
    issued.forEach(
        i ->
            groups
                .computeIfAbsent(List.of(i.workload(), i.resource()), k -> new ArrayList<>())
                .add(i));
    List<LeaseSummary> out = new ArrayList<>();
    groups.forEach(
        (k, is) ->
            out.add(
                new LeaseSummary(
                    k.get(0),
                    k.get(1),
                    is.size(),
                    is.stream()
                        .filter(i -> !revoked.contains(i.leaseId()) && i.expires().isAfter(now))
                        .count(),
                    is.stream().map(Issue::issued).min(Instant::compareTo).orElseThrow(),
                    is.stream().map(Issue::issued).max(Instant::compareTo).orElseThrow(),
                    is.stream()
                        .map(i -> Duration.between(i.issued(), i.expires()))
                        .max(Duration::compareTo)
                        .orElseThrow(),
                    is.stream().map(Issue::expires).max(Instant::compareTo).orElseThrow())));
    return out;
  }

  @Override
  public List<Usage> usage(Instant since) {
    Map<List<String>, List<Issue>> groups = new LinkedHashMap<>();
    issued.stream()
        .filter(i -> !i.issued().isBefore(since))
        .forEach(
            i ->
                groups
                    .computeIfAbsent(List.of(i.workload(), i.resource()), k -> new ArrayList<>())
                    .add(i));
    List<Usage> out = new ArrayList<>();
    groups.forEach(
        (k, is) -> {
          Set<String> addresses = new LinkedHashSet<>();
          is.stream().map(Issue::address).filter(a -> a != null).forEach(addresses::add);
          out.add(
              new Usage(
                  k.get(0),
                  k.get(1),
                  is.size(),
                  is.stream().map(Issue::issued).max(Instant::compareTo).orElseThrow(),
                  addresses));
        });
    return out;
  }

  // ---- not read by the index

  @Override
  public List<GrantUse> grantUses(String workload, String resource, Instant since) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<Upserted> upsert(List<ImportedNhi> items, Instant at) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<ImportedNhi> listImported() {
    return List.copyOf(imported.values());
  }

  @Override
  public int reassignOwner(String from, String to, Instant at) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean claimNotice(String ruleId, String itemId, Instant at) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void markDeparted(String owner, Instant at, String action) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<Duration> leaseLifetimes(Instant since, int max) {
    throw new UnsupportedOperationException();
  }
}
