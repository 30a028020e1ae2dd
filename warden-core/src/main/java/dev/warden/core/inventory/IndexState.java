package dev.warden.core.inventory;

import dev.warden.core.admin.AdminToken;
import dev.warden.core.document.Kind;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything the posture index holds: the facts (configuration, leaks, departures, the {@link
 * IssuanceTally}, imported items with their owner, team, environment, kind and fingerprint indexes)
 * and what was judged from them ({@link IndexFindings}), as of audit sequence {@link #head}.
 *
 * <p>The facts are split into units judged one at a time (see {@link IndexFindings}), so a change
 * re-judges only the units it touches; {@link IndexCatchUp} decides which. Mutable: built by {@link
 * #load}, then changed only under the index's write lock.
 */
final class IndexState {
  private static final String GLOBAL = "global";

  final PostureThresholds thresholds;

  /** The audit sequence the facts match. */
  long head;

  Instant judgedAt;
  long readMillis;
  long judgeMillis;

  /** A catch-up failed half-way: the next one reads everything again. */
  volatile boolean broken;

  final TreeMap<String, Workload> workloads = new TreeMap<>();
  final TreeMap<String, Resource> resources = new TreeMap<>();
  final TreeMap<String, AccessPolicy> policies = new TreeMap<>();
  List<AdminToken> adminTokens = List.of();

  /** Global like admin tokens: taken again on brokered_secret events and each refresh. */
  List<SecretSummary> secrets = List.of();

  /** When each workload was first written. */
  final Map<String, Instant> workloadCreated = new HashMap<>();

  /** Departed owners and when they left. */
  Map<String, Instant> departed = Map.of();

  /** Owners of at least one workload. */
  Set<String> knownOwners = Set.of();

  private List<LeakRecord> leaks = List.of();

  /** Issued-credential leaks by workload (a workload's unit holds them). */
  private Map<String, List<LeakRecord>> issuedLeaks = Map.of();

  private Map<String, LeakRecord> foreignLeaks = Map.of();
  final IssuanceTally issued = new IssuanceTally();

  final TreeMap<String, ImportedNhi> imported = new TreeMap<>();
  final IdIndex byFingerprint = new IdIndex();
  final IdIndex byOwner = new IdIndex();
  final IdIndex byTeam = new IdIndex();
  final IdIndex byEnvironment = new IdIndex();
  final IdIndex byKind = new IdIndex();

  /**
   * Imported items by the workload their {@code workload} attribute names: what a blast radius
   * needs.
   */
  final IdIndex byHolder = new IdIndex();

  /**
   * Immutable copies of resources and policies, shared by every unit's facts; null after a change.
   */
  private List<Resource> resourceList;

  private List<AccessPolicy> policyList;

  final IndexFindings findings = new IndexFindings();

  IndexState(PostureThresholds thresholds) {
    this.thresholds = thresholds;
  }

  /**
   * Reads everything and judges it: the large part (imported items, lease aggregates, token usage)
   * in one repeatable-read transaction that also fixes the audit sequence it matches.
   *
   * @throws dev.warden.core.error.StoreException when the database fails
   */
  static IndexState load(
      IndexSource config, InventoryStore inventory, Clock clock, PostureThresholds thresholds) {
    long started = System.nanoTime();
    Instant now = clock.instant();
    Duration window =
        thresholds.unusedGrant().compareTo(thresholds.stale()) > 0
            ? thresholds.unusedGrant()
            : thresholds.stale();
    InventoryStore.Baseline b =
        inventory.baseline(now, now.minus(window), !thresholds.workstationCidrs().isEmpty());
    IndexState s = new IndexState(thresholds);
    long t0 = System.nanoTime();
    s.head = b.head();
    config.workloads().forEach(w -> s.workloads.put(w.name(), w));
    config.resources().forEach(r -> s.resources.put(r.name(), r));
    config.policies().forEach(p -> s.policies.put(p.name(), p));
    s.adminTokens = config.adminTokens();
    s.secrets = config.brokeredSecrets(now);
    s.setLeaks(inventory.leaks());
    s.departed = Map.copyOf(inventory.departedOwners());
    s.workloadCreated.putAll(inventory.firstWritten(Kind.WORKLOAD.wire()));
    b.usage().forEach(s.issued::add);
    b.leases().forEach(s.issued::add);
    b.live().forEach(s.issued::addLive);
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

  Posture.Context context(Instant now) {
    return new Posture.Context(now, thresholds, knownOwners, departed, this::group, foreignLeaks);
  }

  /** The imported items with {@code fingerprint}, ordered by id. */
  List<ImportedNhi> group(String fingerprint) {
    Collection<String> ids = byFingerprint.ids(fingerprint);
    List<ImportedNhi> out = new ArrayList<>(ids.size());
    ids.forEach(id -> out.add(imported.get(id)));
    return out;
  }

  /** Adds or replaces an imported item, keeping every index in step. */
  void putImported(String id, ImportedNhi n) {
    ImportedNhi old = imported.put(id, n);
    if (old != null) {
      byFingerprint.remove(old.fingerprint(), id);
      byOwner.remove(old.owner(), id);
      byTeam.remove(old.team(), id);
      byEnvironment.remove(old.environment(), id);
      byKind.remove(old.kind(), id);
      byHolder.remove(old.attributes().get("workload"), id);
    }
    byFingerprint.add(n.fingerprint(), id);
    byOwner.add(n.owner(), id);
    byTeam.add(n.team(), id);
    byEnvironment.add(n.environment(), id);
    byKind.add(n.kind(), id);
    byHolder.add(n.attributes().get("workload"), id);
  }

  /**
   * The facts one item's blast radius is computed from: the workload it is or names (with the
   * imported items that name it), every resource and policy, and nothing of the rest of the
   * inventory. {@link BlastRadius#of(InventoryFacts, InventoryItem)} gives the same answer from
   * these as from everything.
   */
  InventoryFacts factsAround(Instant now, String workload) {
    if (workload == null) {
      return facts(now, "", List.of());
    }
    List<ImportedNhi> held = new ArrayList<>();
    byHolder.ids(workload).forEach(id -> held.add(imported.get(id)));
    return facts(now, workload, held);
  }

  void setLeaks(List<LeakRecord> all) {
    leaks = List.copyOf(all);
    Map<String, List<LeakRecord>> issuedBy = new HashMap<>();
    for (LeakRecord l : all) {
      if (l.issued()) {
        issuedBy.computeIfAbsent(Objects.toString(l.workload(), ""), k -> new ArrayList<>()).add(l);
      }
    }
    issuedLeaks = issuedBy;
    foreignLeaks = Posture.foreignLeaks(all);
  }

  /** Workloads with a leaked issued credential. */
  Set<String> leakingWorkloads() {
    return issuedLeaks.keySet();
  }

  /** Leaks of secrets Warden did not issue, by fingerprint. */
  Map<String, LeakRecord> foreignLeaks() {
    return foreignLeaks;
  }

  /** Resources or policies changed: the shared copies are taken again. */
  void configChanged() {
    resourceList = null;
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
    return new InventoryFacts(
        now,
        ws,
        created,
        resourceList,
        policyList,
        workload == null ? adminTokens : List.of(),
        importedItems == null ? List.of() : importedItems,
        issued.leaseSummaries(workload, now),
        issued.usage(workload),
        ls,
        departed,
        workload == null ? secrets : List.of());
  }

  /**
   * The unit of what Warden holds that is not any one workload's: admin tokens and foreign leaks.
   */
  void judgeGlobal(Instant now, Posture.Context ctx) {
    List<LeakRecord> foreign = leaks.stream().filter(l -> !l.issued()).toList();
    // resources too: a secret's item lists the resources that name it
    InventoryFacts f =
        new InventoryFacts(
            now,
            List.of(),
            Map.of(),
            List.copyOf(resources.values()),
            List.of(),
            adminTokens,
            List.of(),
            List.of(),
            List.of(),
            foreign,
            departed,
            secrets);
    findings.replaceUnit(
        GLOBAL,
        Inventory.wardenItems(f, fp -> Posture.first(ctx, fp)),
        Posture.wardenSide(f, thresholds, ctx));
  }

  /** One workload's unit: its identity, the credentials issued to it, their leaks. */
  void judgeWorkload(String workload, Instant now, Posture.Context ctx) {
    issued.dropExpired(workload, now);
    InventoryFacts f = facts(now, workload, null);
    findings.replaceUnit(
        IndexFindings.workloadUnit(workload),
        Inventory.wardenItems(f, fp -> null),
        Posture.wardenSide(f, thresholds, ctx));
  }

  void judgeImported(String id, Posture.Context ctx) {
    ImportedNhi n = imported.get(id);
    findings.replaceFindings(id, n == null ? List.of() : Posture.imported(n, id, ctx));
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

  /**
   * Every workload with anything in the index: configured, used, leased, leaked or judged before.
   */
  Set<String> workloadUnits() {
    Set<String> all = new HashSet<>(workloads.keySet());
    issued.workloadsInto(all);
    all.addAll(issuedLeaks.keySet());
    findings.workloadsInto(all);
    return all;
  }

  /**
   * Judges every unit; the imported ones in parallel, since the rules are pure and the state is not
   * yet published.
   */
  void judgeAll(Instant now) {
    Posture.Context ctx = context(now);
    List<Entry<String, ImportedNhi>> all = new ArrayList<>(imported.entrySet());
    List<List<Finding>> judged =
        all.parallelStream().map(e -> Posture.imported(e.getValue(), e.getKey(), ctx)).toList();
    for (int i = 0; i < all.size(); i++) {
      findings.replaceFindings(all.get(i).getKey(), judged.get(i));
    }
    judgeWardenSide(now);
  }
}
