package dev.warden.core.inventory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Governance indicators over the inventory. Definitions (also in docs/inventory.md):
 *
 * <ul>
 *   <li>{@code ownerShare}: identities (workloads, imported items, admin tokens) with an owner /
 *       all;
 *   <li>{@code shortLivedShare}: workload × resource pairs served by Warden-issued credentials /
 *       (those pairs + static credentials);
 *   <li>credential lifetime mean and p95: over the TTLs of recently issued leases;
 *   <li>{@code staticSecrets}: imported static credentials + usable admin tokens;
 *   <li>{@code manualRotations}: imported static credentials whose last rotation falls in the last
 *       {@link #ROTATION_WINDOW} (Warden rotates none of them, so each was rotated by hand); {@code
 *       rotationsOverdue}: those with a rotation-overdue finding;
 *   <li>mean leak-report-to-revocation: revocation time of each leaked lease minus its report time;
 *   <li>stale and orphaned: items with a {@code usage.stale} finding; items with a no-owner,
 *       owner-departed or credential-outlives-workload finding.
 * </ul>
 */
public record Kpi(
    int identities,
    double ownerShare,
    double shortLivedShare,
    Duration meanCredentialLifetime,
    Duration p95CredentialLifetime,
    int credentialsSampled,
    int staticSecrets,
    int leaks,
    Duration meanLeakToRevocation,
    int stale,
    int orphaned,
    int manualRotations,
    int rotationsOverdue) {

  /** How far back {@code manualRotations} counts. */
  public static final Duration ROTATION_WINDOW = Duration.ofDays(30);

  /**
   * @param ttls lifetimes of recently issued credentials (any order)
   * @param leakRevokedAt revocation time per leaked lease id (absent when not revoked)
   */
  public static Kpi compute(
      InventoryFacts f,
      List<Finding> findings,
      Collection<Duration> ttls,
      Map<String, Instant> leakRevokedAt) {
    int identities = f.workloads().size() + f.imported().size() + f.adminTokens().size();
    long owned =
        f.workloads().stream().filter(w -> w.owner() != null && !w.owner().isBlank()).count()
            + f.imported().stream().filter(n -> n.owner() != null).count()
            + f.adminTokens().stream().filter(t -> t.createdBy() != null).count();
    int staticSecrets =
        (int)
            (f.imported().stream().filter(Posture::isCredential).count()
                + f.adminTokens().stream().filter(t -> t.isUsable(f.now())).count());
    int pairs = f.leases().size();
    List<Duration> sorted = new ArrayList<>(ttls);
    sorted.sort(null);
    Duration mean =
        sorted.isEmpty()
            ? null
            : Duration.ofNanos(
                (long) sorted.stream().mapToLong(Duration::toNanos).average().orElse(0));
    Duration p95 =
        sorted.isEmpty()
            ? null
            : sorted.get(Math.max(0, (int) Math.ceil(0.95 * sorted.size()) - 1));
    long leakNanos = 0;
    int revoked = 0;
    for (LeakRecord l : f.leaks()) {
      Instant at = l.issued() ? leakRevokedAt.get(l.leaseId()) : null;
      if (at != null) {
        leakNanos += Math.max(0, Duration.between(l.reportedAt(), at).toNanos());
        revoked++;
      }
    }
    Instant since = f.now().minus(ROTATION_WINDOW);
    int rotations =
        (int)
            f.imported().stream()
                .filter(Posture::isCredential)
                .filter(
                    n ->
                        n.lastRotatedAt() != null
                            && n.lastRotatedAt().isAfter(since)
                            && !n.lastRotatedAt().isAfter(f.now()))
                .count();
    Set<String> stale = new HashSet<>();
    Set<String> orphaned = new HashSet<>();
    Set<String> overdue = new HashSet<>();
    for (Finding x : findings) {
      switch (x.ruleId()) {
        case Posture.ROTATION_OVERDUE -> overdue.add(x.itemId());
        case Posture.STALE -> stale.add(x.itemId());
        case Posture.NO_OWNER, Posture.OWNER_DEPARTED, Posture.CREDENTIAL_OUTLIVES_WORKLOAD ->
            orphaned.add(x.itemId());
        default -> {}
      }
    }
    return new Kpi(
        identities,
        identities == 0 ? 1.0 : (double) owned / identities,
        pairs + staticSecrets == 0 ? 0.0 : (double) pairs / (pairs + staticSecrets),
        mean,
        p95,
        sorted.size(),
        staticSecrets,
        f.leaks().size(),
        revoked == 0 ? null : Duration.ofNanos(leakNanos / revoked),
        stale.size(),
        orphaned.size(),
        rotations,
        overdue.size());
  }

  /**
   * The indicators as named fields in a fixed order, absent values left out: the JSON form of the
   * daily snapshots and of the KPI report, so history and today read alike.
   */
  public Map<String, Object> fields() {
    Map<String, Object> o = new java.util.LinkedHashMap<>();
    o.put("identities", identities);
    o.put("ownerShare", ownerShare);
    o.put("shortLivedShare", shortLivedShare);
    putOpt(o, "meanCredentialLifetime", meanCredentialLifetime);
    putOpt(o, "p95CredentialLifetime", p95CredentialLifetime);
    o.put("credentialsSampled", credentialsSampled);
    o.put("staticSecrets", staticSecrets);
    o.put("manualRotations", manualRotations);
    o.put("rotationsOverdue", rotationsOverdue);
    o.put("leaks", leaks);
    putOpt(o, "meanLeakToRevocation", meanLeakToRevocation);
    o.put("stale", stale);
    o.put("orphaned", orphaned);
    return o;
  }

  private static void putOpt(Map<String, Object> o, String field, Duration d) {
    if (d != null) {
      o.put(field, d.toString());
    }
  }
}
