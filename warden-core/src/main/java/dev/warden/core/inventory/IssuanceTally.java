package dev.warden.core.inventory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the posture index knows of issued credentials: token usage and lease aggregates per
 * (workload, resource), and the leases still live, by workload. Seeded from the baseline, then
 * added to by each {@code token.issued} event and taken from by {@code lease.revoked}, so a burst
 * of issuance costs a map update per event rather than a read. Not thread-safe: part of {@link
 * IndexState}.
 */
final class IssuanceTally {
  /** At most this many caller addresses are kept per (workload, resource). */
  private static final int MAX_ADDRESSES = 64;

  private final Map<String, Map<String, UsageAcc>> usage = new HashMap<>();

  /**
   * Lease aggregates by workload, then resource; their {@code active} counts are taken from {@link
   * #live} when asked.
   */
  private final Map<String, Map<String, LeaseSummary>> leases = new HashMap<>();

  private final Map<String, Map<String, InventoryStore.LiveLease>> live = new HashMap<>();
  private final Map<String, String> liveWorkload = new HashMap<>();

  /** Seeds usage from the baseline. */
  void add(Usage u) {
    usage
        .computeIfAbsent(u.workload(), k -> new HashMap<>())
        .put(
            u.resource(),
            new UsageAcc(
                u.workload(),
                u.resource(),
                u.count(),
                u.lastIssued(),
                new LinkedHashSet<>(u.sourceAddresses())));
  }

  /** Seeds lease aggregates from the baseline. */
  void add(LeaseSummary l) {
    leases.computeIfAbsent(l.workload(), k -> new HashMap<>()).put(l.resource(), l);
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

  /** Counts one {@code token.issued} event, and its lease when it has one. */
  void recordIssuance(InventoryStore.Change c) {
    if (c.workload() == null) {
      return;
    }
    UsageAcc u =
        usage
            .computeIfAbsent(c.workload(), k -> new HashMap<>())
            .computeIfAbsent(
                c.resource(),
                k -> new UsageAcc(c.workload(), c.resource(), 0, c.at(), new LinkedHashSet<>()));
    u.count++;
    u.last = u.last == null || c.at().isAfter(u.last) ? c.at() : u.last;
    if (u.addresses.size()
        < MAX_ADDRESSES) { // the details are parsed only while addresses are still collected
      String addr = c.details().get("sourceAddress");
      if (addr != null && !addr.isEmpty()) {
        u.addresses.add(addr);
      }
    }
    if (c.leaseId() == null || c.leaseExpires() == null || c.leaseIssued() == null) {
      return;
    }
    Instant at = c.leaseIssued();
    leases
        .computeIfAbsent(c.workload(), k -> new HashMap<>())
        .merge(
            c.resource(),
            new LeaseSummary(
                c.workload(),
                c.resource(),
                1,
                0,
                at,
                at,
                Duration.between(at, c.leaseExpires()),
                c.leaseExpires()),
            IssuanceTally::plus);
    addLive(
        new InventoryStore.LiveLease(c.leaseId(), c.workload(), c.resource(), c.leaseExpires()));
  }

  /** Forgets {@code workload}'s leases that have expired by {@code now}. */
  void dropExpired(String workload, Instant now) {
    Map<String, InventoryStore.LiveLease> mine = live.get(workload);
    if (mine != null) {
      mine.values()
          .removeIf(
              l -> {
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
  }

  /** Adds every workload with usage or leases to {@code out}. */
  void workloadsInto(Set<String> out) {
    out.addAll(usage.keySet());
    out.addAll(leases.keySet());
  }

  /**
   * Lease summaries of one workload's resources (null: of every workload), live counts as of {@code
   * now}.
   */
  List<LeaseSummary> leaseSummaries(String workload, Instant now) {
    List<LeaseSummary> out = new ArrayList<>();
    Collection<String> ws = workload == null ? leases.keySet() : List.of(workload);
    for (String w : ws) {
      Map<String, LeaseSummary> byResource = leases.get(w);
      if (byResource == null) {
        continue;
      }
      Map<String, long[]> active = new HashMap<>();
      for (InventoryStore.LiveLease l : live.getOrDefault(w, Map.of()).values()) {
        if (l.expiresAt().isAfter(now)) {
          active.computeIfAbsent(l.resource(), k -> new long[1])[0]++;
        }
      }
      for (LeaseSummary a : byResource.values()) {
        long[] n = active.get(a.resource());
        out.add(
            new LeaseSummary(
                a.workload(),
                a.resource(),
                a.count(),
                n == null ? 0 : n[0],
                a.firstIssued(),
                a.lastIssued(),
                a.longestTtl(),
                a.lastExpiry()));
      }
    }
    out.sort(
        Comparator.comparing((LeaseSummary l) -> Objects.toString(l.workload(), ""))
            .thenComparing(l -> Objects.toString(l.resource(), "")));
    return out;
  }

  /** Usage of one workload (null: of every workload). */
  List<Usage> usage(String workload) {
    List<Usage> out = new ArrayList<>();
    Collection<Map<String, UsageAcc>> groups =
        workload == null ? usage.values() : List.of(usage.getOrDefault(workload, Map.of()));
    groups.forEach(g -> g.values().forEach(u -> out.add(u.value())));
    return out;
  }

  /** Two aggregates of one (workload, resource) as one; {@code active} is not kept here. */
  private static LeaseSummary plus(LeaseSummary a, LeaseSummary b) {
    return new LeaseSummary(
        a.workload(),
        a.resource(),
        a.count() + b.count(),
        0,
        b.firstIssued().isBefore(a.firstIssued()) ? b.firstIssued() : a.firstIssued(),
        b.lastIssued().isAfter(a.lastIssued()) ? b.lastIssued() : a.lastIssued(),
        b.longestTtl().compareTo(a.longestTtl()) > 0 ? b.longestTtl() : a.longestTtl(),
        b.lastExpiry().isAfter(a.lastExpiry()) ? b.lastExpiry() : a.lastExpiry());
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
}
