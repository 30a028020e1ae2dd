package dev.warden.core.inventory;

import dev.warden.core.document.Kind;
import dev.warden.core.error.ValidationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Brings an {@link IndexState} forward along the audit log, in two steps so that a burst of events
 * is judged once: {@link #apply} folds a batch of events into the facts and notes in a {@link
 * Pending} what they touch; {@link #judge} then re-judges exactly that.
 *
 * <ul>
 *   <li>{@code token.issued}, {@code lease.revoked}: usage and live leases; that workload.
 *   <li>{@code config.*}: that object is read again. A workload is re-judged alone, and the
 *       imported items of owners who became known or unknown with it; a resource or policy
 *       re-judges every workload.
 *   <li>{@code inventory.imported}, {@code owner.departed}: the imported rows written since the
 *       event's stamp, and the items sharing their fingerprints (old and new); a departure that
 *       changed the departed owners re-judges their items and every workload.
 *   <li>{@code secret.leaked} (and a revocation as leaked): the leaks are read again; workloads
 *       with leaked credentials, and imported items whose fingerprint became or stopped being
 *       leaked.
 *   <li>{@code admin_token.*}: the admin tokens, judged in the global unit.
 * </ul>
 *
 * Holds no state of its own and no lock: the index calls it under its write lock.
 */
final class IndexCatchUp {
  private final IndexSource config;
  private final InventoryStore inventory;
  private final Clock clock;

  IndexCatchUp(IndexSource config, InventoryStore inventory, Clock clock) {
    this.config = config;
    this.inventory = inventory;
    this.clock = clock;
  }

  /** What a catch-up has to re-judge once all its events are applied. */
  static final class Pending {
    final Set<String> affected = new HashSet<>();
    final Set<String> dirtyWorkloads = new HashSet<>();
    boolean everyWorkload;
    boolean global;

    boolean isEmpty() {
      return affected.isEmpty() && dirtyWorkloads.isEmpty() && !everyWorkload && !global;
    }
  }

  /**
   * Applies events to the facts of {@code s} and notes in {@code pending} what they touch; moves
   * {@code s.head} to the last event's sequence.
   *
   * @throws dev.warden.core.error.StoreException when the database fails (then {@code s} is
   *     half-applied)
   */
  void apply(IndexState s, List<InventoryStore.Change> changes, Pending pending) {
    boolean leaks = false;
    boolean departed = false;
    boolean tokens = false;
    boolean secrets = false;
    Instant importedSince = null;
    Set<String> dirtyWorkloads = pending.dirtyWorkloads;
    Map<Kind, Set<String>> objects = new HashMap<>();
    for (InventoryStore.Change c : changes) {
      String type = c.type();
      switch (type) {
        case "token.issued" -> {
          s.issued.recordIssuance(c);
          if (c.workload() != null) {
            dirtyWorkloads.add(c.workload());
          }
        }
        case "lease.revoked" -> {
          s.issued.removeLive(c.details().get("leaseId"));
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
          } catch (ValidationException e) {
            // not a kind the inventory holds: nothing to re-judge
          }
        }
        case "inventory.imported", "owner.departed" -> {
          Instant at = since(c);
          importedSince = importedSince == null || at.isBefore(importedSince) ? at : importedSince;
          departed |= type.equals("owner.departed");
        }
        default -> {
          tokens |= type.startsWith("admin_token.");
          secrets |= type.startsWith("brokered_secret.");
        }
      }
      s.head = c.seq();
    }
    Set<String> owners = new HashSet<>();
    reloadObjects(s, objects, owners, pending);
    if (tokens) {
      s.adminTokens = config.adminTokens();
      pending.global = true;
    }
    if (secrets) {
      s.secrets = config.brokeredSecrets(clock.instant());
      pending.global = true;
    }
    if (departed) {
      reloadDepartures(s, owners, pending);
    }
    for (String o : owners) {
      pending.affected.addAll(s.byOwner.ids(o));
    }
    if (leaks) {
      reloadLeaks(s, pending);
    }
    if (importedSince != null) {
      reloadImported(s, importedSince, pending);
    }
  }

  /**
   * Reads the named configuration objects again; adds owners who became known or unknown to {@code
   * owners}.
   */
  private void reloadObjects(
      IndexState s, Map<Kind, Set<String>> objects, Set<String> owners, Pending pending) {
    for (Map.Entry<Kind, Set<String>> e : objects.entrySet()) {
      for (String name : e.getValue()) {
        switch (e.getKey()) {
          case WORKLOAD -> {
            put(s.workloads, name, config.workload(name));
            pending.dirtyWorkloads.add(name);
          }
          case RESOURCE -> {
            put(s.resources, name, config.resource(name));
            s.configChanged();
            pending.everyWorkload = true;
          }
          case ACCESS_POLICY -> {
            put(s.policies, name, config.policy(name));
            s.configChanged();
            pending.everyWorkload = true;
          }
          default -> {}
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
  }

  /** Reads the departed owners again; adds those who changed to {@code owners}. */
  private void reloadDepartures(IndexState s, Set<String> owners, Pending pending) {
    Map<String, Instant> latest = Map.copyOf(inventory.departedOwners());
    Set<String> changed = new HashSet<>();
    symmetricDifference(s.departed.keySet(), latest.keySet(), changed);
    s.departed = latest;
    owners.addAll(changed);
    if (!changed.isEmpty()) {
      pending.everyWorkload = true;
      pending.global = true;
    }
  }

  private void reloadLeaks(IndexState s, Pending pending) {
    Map<String, LeakRecord> before = s.foreignLeaks();
    Set<String> leakWorkloads = new HashSet<>(s.leakingWorkloads());
    s.setLeaks(inventory.leaks());
    leakWorkloads.addAll(s.leakingWorkloads());
    pending.dirtyWorkloads.addAll(leakWorkloads);
    Set<String> fps = new HashSet<>();
    symmetricDifference(before.keySet(), s.foreignLeaks().keySet(), fps);
    fps.forEach(fp -> pending.affected.addAll(s.byFingerprint.ids(fp)));
    pending.global = true;
  }

  private void reloadImported(IndexState s, Instant since, Pending pending) {
    Set<String> affected = pending.affected;
    for (ImportedNhi n : inventory.importedSince(since)) {
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
      pending.global |=
          (old != null && s.foreignLeaks().containsKey(old.fingerprint()))
              || s.foreignLeaks().containsKey(n.fingerprint());
    }
  }

  /** Re-judges what {@code pending} notes, at the clock's now. */
  void judge(IndexState s, Pending pending) {
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
  static Instant since(InventoryStore.Change c) {
    String at = c.details().get("changedAt");
    if (at != null) {
      try {
        return Instant.parse(at);
      } catch (DateTimeParseException e) {
        // fall through: an older event without the stamp
      }
    }
    // events written before the stamp existed: any row written in the hour before is re-read
    return c.at().minus(Duration.ofHours(1));
  }

  private static <T> void put(Map<String, T> m, String name, Optional<T> v) {
    if (v.isPresent()) {
      m.put(name, v.get());
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
}
