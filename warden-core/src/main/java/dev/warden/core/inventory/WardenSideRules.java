package dev.warden.core.inventory;

import static dev.warden.core.inventory.Posture.CREDENTIAL_OUTLIVES_WORKLOAD;
import static dev.warden.core.inventory.Posture.HUMAN_USE;
import static dev.warden.core.inventory.Posture.LEAKED;
import static dev.warden.core.inventory.Posture.MISSING_EXPIRY;
import static dev.warden.core.inventory.Posture.RETIRED_IDENTITY_ACTIVE;
import static dev.warden.core.inventory.Posture.ROTATION_OVERDUE;
import static dev.warden.core.inventory.Posture.SECRET_SINGLE_READER;
import static dev.warden.core.inventory.Posture.STALE;
import static dev.warden.core.inventory.Posture.UNUSED_GRANT;
import static dev.warden.core.inventory.Posture.days;
import static dev.warden.core.inventory.Posture.first;
import static dev.warden.core.inventory.Posture.foreignLeak;
import static dev.warden.core.inventory.Posture.isLive;
import static dev.warden.core.inventory.Posture.ownerDeparted;

import dev.warden.core.admin.AdminToken;
import dev.warden.core.inventory.Finding.Severity;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The posture rules on everything Warden holds itself: workloads, the credentials it issued, admin
 * tokens, brokered secrets, and leaks that match no imported item.
 */
final class WardenSideRules {
  private WardenSideRules() {}

  /** See {@link Posture#wardenSide}. */
  static List<Finding> wardenSide(InventoryFacts f, PostureThresholds t, Posture.Context ctx) {
    List<Finding> out = new ArrayList<>();
    offboarding(f, ctx, out);
    leaks(f, ctx, out);
    unusedGrants(f, t, out);
    lifetimes(f, out);
    brokeredSecrets(f, out);
    humanUse(f, t, out);
    stale(f, t, out);
    out.sort(Posture.ORDER);
    return out;
  }

  // NHI1: identities and credentials that outlive their purpose
  private static void offboarding(InventoryFacts f, Posture.Context ctx, List<Finding> out) {
    Map<String, Workload> byId = new HashMap<>();
    f.workloads().forEach(w -> byId.put(w.name(), w));
    for (Workload w : f.workloads()) {
      boolean expired = w.expiresAt() != null && !f.now().isBefore(w.expiresAt());
      if (w.state() == WorkloadState.ACTIVE && expired) {
        out.add(
            new Finding(
                RETIRED_IDENTITY_ACTIVE,
                Severity.HIGH,
                "NHI1",
                Inventory.workloadId(w.name()),
                w.name(),
                "expired at " + w.expiresAt() + " but still in state active",
                "retire it: warden workload retire " + w.name()));
      }
    }
    for (LeaseSummary s : f.leases()) {
      Workload w = s.workload() == null ? null : byId.get(s.workload());
      if (s.active() == 0) {
        continue;
      }
      String id = Inventory.credentialId(s.workload(), s.resource());
      if (w == null) {
        out.add(
            new Finding(
                CREDENTIAL_OUTLIVES_WORKLOAD,
                Severity.HIGH,
                "NHI1",
                id,
                s.workload(),
                s.active()
                    + " live credential(s) for "
                    + s.resource()
                    + " but the workload no longer exists",
                "revoke them: POST /v1/leases/<id>:revoke"));
      } else if (w.state() != WorkloadState.ACTIVE) {
        out.add(
            new Finding(
                CREDENTIAL_OUTLIVES_WORKLOAD,
                Severity.HIGH,
                "NHI1",
                id,
                w.name(),
                s.active()
                    + " live credential(s) for "
                    + s.resource()
                    + " while the workload is "
                    + w.state().name().toLowerCase(Locale.ROOT),
                "retire it again to revoke what it holds: warden workload retire " + w.name()));
      } else if (w.expiresAt() != null
          && s.lastExpiry() != null
          && s.lastExpiry().isAfter(w.expiresAt())) {
        out.add(
            new Finding(
                CREDENTIAL_OUTLIVES_WORKLOAD,
                Severity.MEDIUM,
                "NHI1",
                id,
                w.name(),
                "a credential for "
                    + s.resource()
                    + " expires at "
                    + s.lastExpiry()
                    + ", after the workload ("
                    + w.expiresAt()
                    + ")",
                "revoke it, or extend the workload's expiry on purpose"));
      }
    }
    if (f.departedOwners().isEmpty()) {
      return;
    }
    for (InventoryItem i : Inventory.wardenItems(f, fp -> first(ctx, fp))) {
      if (i.owner() != null && f.departedOwners().containsKey(i.owner()) && isLive(i)) {
        out.add(ownerDeparted(i, f.departedOwners()));
      }
    }
  }

  // NHI2: leaks of issued credentials, and of foreign secrets no imported item matches
  private static void leaks(InventoryFacts f, Posture.Context ctx, List<Finding> out) {
    for (LeakRecord l : f.leaks()) {
      if (!l.issued()) {
        if (ctx.fingerprintGroup().apply(l.fingerprint()).isEmpty()) {
          out.add(foreignLeak(l, null, null));
        }
        continue;
      }
      out.add(
          new Finding(
              LEAKED,
              Severity.CRITICAL,
              "NHI2",
              "leak:" + l.leaseId(),
              l.workload(),
              "credential fingerprint "
                  + l.fingerprint().substring(0, Math.min(12, l.fingerprint().length()))
                  + "… reported leaked at "
                  + l.reportedAt()
                  + (l.path() == null || l.path().isEmpty() ? "" : " in " + l.path()),
              "the lease was revoked; remove the credential from "
                  + (l.source() == null || l.source().isEmpty() ? "where it leaked" : l.source())
                  + " and find how it got there"));
    }
  }

  // NHI5: granted but not used within the window (only for workloads older than the window)
  private static void unusedGrants(InventoryFacts f, PostureThresholds t, List<Finding> out) {
    Map<String, Instant> used = new HashMap<>();
    for (Usage u : f.usage()) {
      used.merge(u.workload() + "|" + u.resource(), u.lastIssued(), (a, b) -> a.isAfter(b) ? a : b);
    }
    for (LeaseSummary s : f.leases()) {
      used.merge(s.workload() + "|" + s.resource(), s.lastIssued(), (a, b) -> a.isAfter(b) ? a : b);
    }
    Instant cutoff = f.now().minus(t.unusedGrant());
    Map<String, Resource> resources = Inventory.resourcesByName(f);
    for (Workload w : f.workloads()) {
      Instant created = f.workloadCreated().get(w.name());
      if (w.state() != WorkloadState.ACTIVE || (created != null && created.isAfter(cutoff))) {
        continue;
      }
      for (Grants.Grant g : Grants.of(w, f.policies(), resources)) {
        Instant last = used.get(w.name() + "|" + g.resource());
        if (last == null || last.isBefore(cutoff)) {
          out.add(
              new Finding(
                  UNUSED_GRANT,
                  g.weight() >= 9 ? Severity.HIGH : Severity.MEDIUM,
                  "NHI5",
                  Inventory.workloadId(w.name()),
                  w.name(),
                  "granted "
                      + g.resource()
                      + " ("
                      + g.sensitivity().name().toLowerCase(Locale.ROOT)
                      + ") by policy "
                      + g.policy()
                      + " but "
                      + (last == null ? "never used" : "last used " + last)
                      + " (window "
                      + days(t.unusedGrant())
                      + ")",
                  "remove "
                      + g.resource()
                      + " from policy "
                      + g.policy()
                      + " or narrow its workloads"));
        }
      }
    }
  }

  // NHI7, on what Warden holds
  private static void lifetimes(InventoryFacts f, List<Finding> out) {
    for (AdminToken a : f.adminTokens()) {
      if (a.isUsable(f.now()) && a.expiresAt() == null) {
        out.add(
            new Finding(
                MISSING_EXPIRY,
                Severity.MEDIUM,
                "NHI7",
                "admin-token:" + a.id(),
                a.name() == null ? a.id() : a.name(),
                "admin token with scopes " + new TreeSet<>(a.scopes()) + " never expires",
                "create a replacement with --ttl and revoke this one"));
      }
    }
    for (Workload w : f.workloads()) {
      if (w.state() == WorkloadState.ACTIVE && w.expiresAt() == null) {
        out.add(
            new Finding(
                MISSING_EXPIRY,
                Severity.LOW,
                "NHI7",
                Inventory.workloadId(w.name()),
                w.name(),
                "workload identity has no expiry",
                "set spec.expiresAt so it is reviewed"));
      }
    }
  }

  /**
   * NHI7 on brokered secrets: one read by a single workload is a static secret that workload could
   * replace with a dynamic credential; one past its rotation interval is overdue.
   */
  private static void brokeredSecrets(InventoryFacts f, List<Finding> out) {
    for (SecretSummary s : f.secrets()) {
      var m = s.metadata();
      String id = Inventory.secretId(m.name());
      if (s.readers().size() == 1) {
        String w = s.readers().getFirst().workload();
        out.add(
            new Finding(
                SECRET_SINGLE_READER,
                Severity.LOW,
                "NHI7",
                id,
                m.name(),
                "read only by workload " + w + " in the last " + days(SecretSummary.READERS_WINDOW),
                "replace it with a dynamic credential for "
                    + w
                    + " (a database user, an upstream token) and retire the"
                    + " static secret"));
      }
      var due = m.rotationDueAt();
      if (due != null && !f.now().isBefore(due)) {
        out.add(
            new Finding(
                ROTATION_OVERDUE,
                Severity.MEDIUM,
                "NHI7",
                id,
                m.name(),
                "last rotated " + m.lastRotatedAt() + ", due " + due,
                m.settings().rotation() != null
                    ? "run 'warden secret rotate " + m.name() + "'"
                    : "change it at its target, then 'warden secret put "
                        + m.name()
                        + " --cas "
                        + m.currentVersion()
                        + " --value-file ...'"));
      }
    }
  }

  // NHI10
  private static void humanUse(InventoryFacts f, PostureThresholds t, List<Finding> out) {
    if (t.workstationCidrs().isEmpty()) {
      return;
    }
    List<Cidr> ranges = t.workstationCidrs().stream().map(Cidr::parse).toList();
    Map<String, Set<String>> hits = new TreeMap<>();
    for (Usage u : f.usage()) {
      for (String a : u.sourceAddresses()) {
        if (ranges.stream().anyMatch(r -> r.contains(a))) {
          hits.computeIfAbsent(u.workload(), k -> new TreeSet<>()).add(a);
        }
      }
    }
    hits.forEach(
        (w, addrs) ->
            out.add(
                new Finding(
                    HUMAN_USE,
                    Severity.HIGH,
                    "NHI10",
                    Inventory.workloadId(w),
                    w,
                    "credentials issued to requests from workstation addresses " + addrs,
                    "find who used the workload identity by hand; people should use their own identities")));
  }

  private static void stale(InventoryFacts f, PostureThresholds t, List<Finding> out) {
    Instant cutoff = f.now().minus(t.stale());
    Map<String, Instant> last = Inventory.lastUsedByWorkload(f);
    for (Workload w : f.workloads()) {
      Instant created = f.workloadCreated().get(w.name());
      Instant l = last.get(w.name());
      if (w.state() == WorkloadState.ACTIVE
          && (created == null || created.isBefore(cutoff))
          && (l == null || l.isBefore(cutoff))) {
        out.add(
            new Finding(
                STALE,
                Severity.MEDIUM,
                "NHI1",
                Inventory.workloadId(w.name()),
                w.name(),
                l == null ? "never used" : "last used " + l + " (window " + days(t.stale()) + ")",
                "retire it if nothing needs it: warden workload retire " + w.name()));
      }
    }
  }
}
