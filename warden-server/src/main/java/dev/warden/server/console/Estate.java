package dev.warden.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.inventory.InventoryFacts;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.inventory.LeakRecord;
import dev.warden.core.inventory.LeaseSummary;
import dev.warden.core.inventory.Maturity;
import dev.warden.core.model.Resource;
import dev.warden.server.http.HttpJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Estate-wide aggregates the pages share: maturity of every subject (and the first of each stage,
 * sorted), live leases by resource kind, findings by severity, the KPIs, the newest leaks. At a
 * million inventory items one computation takes seconds, far longer than a page may, so pages never
 * compute it: they read the last snapshot, and a stale one (older than {@link #TTL}, or after an
 * action) is recomputed on a thread of its own while pages go on showing it (stale while
 * revalidating). The first computation starts when the sign-in page is shown (or the first page
 * asks); until it is done, pages say so.
 */
final class Estate {
  static final Duration TTL = Duration.ofSeconds(30);

  /** How many rows a list in the snapshot keeps: what one page shows. */
  static final int FIRST = 200;

  /**
   * How long a page waits for the very first snapshot: enough for a small estate, nothing at scale.
   */
  private static final long FIRST_WAIT_MS = 50;

  private static final System.Logger LOG = System.getLogger(Estate.class.getName());

  /**
   * @param firstByStage the first {@link #FIRST} subjects of each stage by item id; key 0: of all
   *     stages
   * @param leaks the newest {@link #FIRST} leak reports
   */
  record Snapshot(
      Instant computedAt,
      int workloads,
      Map<String, Long> liveLeasesByKind,
      Map<Integer, Integer> maturity,
      int maturityTotal,
      Map<String, Maturity.Assessment> byItem,
      Map<Integer, List<Maturity.Assessment>> firstByStage,
      Map<String, Integer> findingsBySeverity,
      JsonNode kpi,
      List<LeakRecord> leaks) {}

  private final InventoryService inventory;
  private final Clock clock;
  private final AtomicBoolean computing = new AtomicBoolean();
  private final Object firstDone = new Object();
  private volatile @Nullable Snapshot current;
  private volatile boolean stale;

  Estate(InventoryService inventory, Clock clock) {
    this.inventory = inventory;
    this.clock = clock;
  }

  /**
   * Starts the first computation unless one is done or running: called by the sign-in page, so the
   * overview an admin lands on after signing in is usually warm. Only the first is started this way
   * (an unauthenticated page must not be able to cause more than one); the posture index may still
   * be reading, and the computation waits for it.
   */
  void warm() {
    if (current == null) {
      refresh();
    }
  }

  /**
   * The latest snapshot, or null while the first is being computed; starts a recomputation when it
   * is stale. Never waits for a computation, except {@value #FIRST_WAIT_MS} ms for the first.
   */
  @Nullable Snapshot get() {
    Snapshot s = current;
    if (s == null || stale || !clock.instant().isBefore(s.computedAt().plus(TTL))) {
      refresh();
    }
    if (s == null) {
      synchronized (firstDone) {
        if (current == null) {
          try {
            firstDone.wait(FIRST_WAIT_MS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
      s = current;
    }
    return s;
  }

  /**
   * After an action: the next page starts a recomputation (and shows the old numbers meanwhile).
   */
  void invalidate() {
    stale = true;
  }

  private void refresh() {
    if (!computing.compareAndSet(false, true)) {
      return;
    }
    stale = false;
    // as of the request that asked: the age the pages show counts from here
    Instant asOf = clock.instant();
    Thread.ofVirtual()
        .name("warden-console-estate")
        .start(
            () -> {
              try {
                long t0 = System.nanoTime();
                current = compute(inventory, asOf);
                LOG.log(
                    System.Logger.Level.DEBUG,
                    "console estate computed in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
              } catch (RuntimeException e) {
                LOG.log(
                    System.Logger.Level.WARNING,
                    "console estate aggregates not computed (the next page retries): "
                        + e.getClass().getSimpleName()
                        + ": "
                        + e.getMessage());
              } finally {
                computing.set(false);
                synchronized (firstDone) {
                  firstDone.notifyAll();
                }
              }
            });
  }

  static Snapshot compute(InventoryService inventory, Instant now) {
    InventoryFacts f = inventory.facts();
    Map<String, String> kindOf = new HashMap<>();
    for (Resource r : f.resources()) {
      kindOf.put(r.name(), r.kind() == null ? "http" : r.kind());
    }
    Map<String, Long> live = new TreeMap<>();
    for (LeaseSummary l : f.leases()) {
      if (l.active() > 0) {
        live.merge(kindOf.getOrDefault(l.resource(), "other"), l.active(), Long::sum);
      }
    }
    Maturity.Report m = Maturity.assess(f);
    Map<String, Maturity.Assessment> byItem = new HashMap<>();
    m.subjects().forEach(a -> byItem.put(a.itemId(), a));
    int total = m.distribution().values().stream().mapToInt(Integer::intValue).sum();
    Comparator<Maturity.Assessment> order = Comparator.comparing(Maturity.Assessment::itemId);
    Map<Integer, List<Maturity.Assessment>> first = new TreeMap<>();
    first.put(
        0,
        m.subjects().stream()
            .sorted(Comparator.comparingInt(Maturity.Assessment::stage).thenComparing(order))
            .limit(FIRST)
            .toList());
    for (int stage = 1; stage <= 7; stage++) {
      int st = stage;
      first.put(
          stage,
          m.subjects().stream().filter(a -> a.stage() == st).sorted(order).limit(FIRST).toList());
    }
    Map<String, Integer> findings =
        new TreeMap<>(
            inventory.posture(null, null, 0, 1, inventory.thresholds(), false).bySeverity());
    JsonNode kpi = HttpJson.MAPPER.valueToTree(inventory.kpi().fields());
    List<LeakRecord> leaks = new ArrayList<>(f.leaks());
    leaks.sort(Comparator.comparing(LeakRecord::reportedAt).reversed());
    return new Snapshot(
        now,
        f.workloads().size(),
        live,
        new TreeMap<>(m.distribution()),
        total,
        byItem,
        first,
        findings,
        kpi,
        List.copyOf(leaks.subList(0, Math.min(FIRST, leaks.size()))));
  }
}
