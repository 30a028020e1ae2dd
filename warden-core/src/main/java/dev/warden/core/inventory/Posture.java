package dev.warden.core.inventory;

import dev.warden.core.inventory.Finding.Severity;
import dev.warden.core.model.Workload;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The posture rules. Each rule is a pure function of {@link InventoryFacts} and {@link
 * PostureThresholds}, so findings are recomputed on demand and are always current. Rule ids and
 * their OWASP NHI Top 10 (2025) mapping are listed in docs/inventory.md.
 *
 * <p>This class holds the rule ids, the order of findings, the context of a judgement and the
 * findings several rules make; the rules themselves are {@link WardenSideRules} (what Warden holds)
 * and {@link ImportedRules} (one imported item).
 */
public final class Posture {
  public static final String RETIRED_IDENTITY_ACTIVE = "offboarding.retired-identity-active";
  public static final String CREDENTIAL_OUTLIVES_WORKLOAD =
      "offboarding.credential-outlives-workload";
  public static final String OWNER_DEPARTED = "offboarding.owner-departed";
  public static final String LEAKED = "leak.reported";
  public static final String UNUSED_GRANT = "privilege.unused-grant";
  public static final String LONG_LIVED = "lifetime.long-lived-static";
  public static final String ROTATION_OVERDUE = "lifetime.rotation-overdue";
  public static final String MISSING_EXPIRY = "lifetime.missing-expiry";
  public static final String CROSS_ENVIRONMENT = "isolation.cross-environment";
  public static final String SHARED_SECRET = "reuse.shared-fingerprint";
  public static final String HUMAN_USE = "human-use.workstation-address";
  public static final String NO_OWNER = "ownership.no-owner";
  public static final String UNKNOWN_OWNER = "ownership.unknown-owner";
  public static final String STALE = "usage.stale";
  public static final String OIDC_AVAILABLE = "ci.static-secret-with-oidc-available";
  public static final String FEDERATION_AVAILABLE = "federation.replace-static-credential";
  public static final String UNCONSTRAINED_WEB_IDENTITY = "federation.unconstrained-web-identity";
  public static final String ROOT_ACCESS_KEY = "privilege.root-access-key";
  public static final String EXPIRED = "lifetime.expired-credential";
  public static final String SECRET_SINGLE_READER = "secret.brokered-single-reader";

  private Posture() {}

  /**
   * Most severe first, then by rule and item (then evidence and subject, so that the order is total
   * and every listing, indexed or recomputed, is the same): the order of every listing of findings.
   */
  public static final Comparator<Finding> ORDER =
      Comparator.comparing(Finding::severity)
          .reversed()
          .thenComparing(Finding::ruleId)
          .thenComparing(Finding::itemId)
          .thenComparing(Finding::evidence)
          .thenComparing(f -> java.util.Objects.toString(f.subject(), ""));

  /**
   * What the rules on one imported item look at besides the item itself. Imported items are judged
   * one at a time against this, which is what lets {@link PostureIndex} re-judge only the items a
   * change touches.
   *
   * @param knownOwners owners of at least one workload
   * @param fingerprintGroup every imported item with a fingerprint, ordered by id
   * @param foreignLeaks leaks of secrets Warden did not issue, by fingerprint
   */
  record Context(
      Instant now,
      PostureThresholds thresholds,
      Set<String> knownOwners,
      Map<String, Instant> departedOwners,
      java.util.function.Function<String, List<ImportedNhi>> fingerprintGroup,
      Map<String, LeakRecord> foreignLeaks) {

    static Context of(InventoryFacts f, PostureThresholds t) {
      Map<String, List<ImportedNhi>> byFp = new HashMap<>();
      for (ImportedNhi n : f.imported()) {
        if (n.fingerprint() != null) {
          byFp.computeIfAbsent(n.fingerprint(), k -> new ArrayList<>()).add(n);
        }
      }
      byFp.values().forEach(g -> g.sort(Comparator.comparing(ImportedNhi::id)));
      return new Context(
          f.now(),
          t,
          Posture.knownOwners(f.workloads()),
          f.departedOwners(),
          fp -> byFp.getOrDefault(fp, List.of()),
          Posture.foreignLeaks(f.leaks()));
    }
  }

  static Set<String> knownOwners(java.util.Collection<Workload> workloads) {
    Set<String> known = new HashSet<>();
    workloads.forEach(w -> known.add(w.owner()));
    return known;
  }

  static Map<String, LeakRecord> foreignLeaks(List<LeakRecord> leaks) {
    Map<String, LeakRecord> m = new HashMap<>();
    for (LeakRecord l : leaks) {
      if (!l.issued()) {
        m.putIfAbsent(l.fingerprint(), l);
      }
    }
    return m;
  }

  /** Every finding, most severe first, then by rule and item. */
  public static List<Finding> evaluate(InventoryFacts f, PostureThresholds t) {
    Context ctx = Context.of(f, t);
    List<Finding> out = new ArrayList<>(wardenSide(f, t, ctx));
    for (ImportedNhi n : f.imported()) {
      out.addAll(imported(n, n.id(), ctx));
    }
    out.sort(ORDER);
    return out;
  }

  /**
   * Findings on everything Warden holds itself (workloads, issued credentials, admin tokens, leaks
   * without a matching imported item); imported items are judged by {@link #imported}.
   */
  static List<Finding> wardenSide(InventoryFacts f, PostureThresholds t, Context ctx) {
    return WardenSideRules.wardenSide(f, t, ctx);
  }

  /**
   * Findings on one imported item ({@code id} is its {@link ImportedNhi#id()}, passed to save
   * hashing it again).
   */
  static List<Finding> imported(ImportedNhi n, String id, Context ctx) {
    return ImportedRules.imported(n, id, ctx);
  }

  static Finding ownerDeparted(InventoryItem i, Map<String, Instant> departed) {
    return new Finding(
        OWNER_DEPARTED,
        Severity.HIGH,
        "NHI1",
        i.id(),
        i.name(),
        "owner " + i.owner() + " departed at " + departed.get(i.owner()),
        "warden owner depart " + i.owner() + " --reassign-to <owner> (or --suspend)");
  }

  static Finding foreignLeak(LeakRecord l, ImportedNhi known, String knownId) {
    String fp = l.fingerprint().substring(0, Math.min(12, l.fingerprint().length()));
    return new Finding(
        LEAKED,
        Severity.CRITICAL,
        "NHI2",
        known != null ? knownId : l.itemId(),
        known != null ? known.name() : fp + "…",
        "a secret Warden did not issue (fingerprint "
            + fp
            + "…) was found at "
            + l.reportedAt()
            + (l.path() == null || l.path().isEmpty() ? "" : " in " + l.path())
            + (known != null
                ? "; it is the imported credential " + known.name() + " from " + known.source()
                : ""),
        "revoke or rotate it where it was issued (Warden cannot), remove it from "
            + (l.source() == null || l.source().isEmpty() ? "where it leaked" : l.source())
            + ", then replace it with workload identity");
  }

  static ImportedNhi first(Context ctx, String fingerprint) {
    List<ImportedNhi> g = ctx.fingerprintGroup().apply(fingerprint);
    return g.isEmpty() ? null : g.get(0);
  }

  static boolean isLive(InventoryItem i) {
    String state = i.attributes().get("state");
    return !"retired".equals(state) && !"false".equals(i.attributes().get("usable"));
  }

  /**
   * Imported items that are secrets, not the identities or pipelines that consume them (an IAM user
   * or the root account is judged through its keys, which are items of their own).
   */
  static boolean isCredential(ImportedNhi n) {
    return ImportedRules.isCredential(n);
  }

  static String days(Duration d) {
    return d.toDays() + "d";
  }
}
