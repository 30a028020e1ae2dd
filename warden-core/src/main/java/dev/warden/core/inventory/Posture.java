package dev.warden.core.inventory;

import dev.warden.core.admin.AdminToken;
import dev.warden.core.inventory.Finding.Severity;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The posture rules. Each rule is a pure function of {@link InventoryFacts} and {@link
 * PostureThresholds}, so findings are recomputed on demand and are always current. Rule ids and
 * their OWASP NHI Top 10 (2025) mapping are listed in docs/inventory.md.
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
    List<Finding> out = new ArrayList<>();
    offboarding(f, ctx, out);
    leaks(f, ctx, out);
    unusedGrants(f, t, out);
    lifetimes(f, out);
    brokeredSecrets(f, out);
    humanUse(f, t, out);
    stale(f, t, out);
    out.sort(ORDER);
    return out;
  }

  /**
   * Findings on one imported item ({@code id} is its {@link ImportedNhi#id()}, passed to save
   * hashing it again).
   */
  static List<Finding> imported(ImportedNhi n, String id, Context ctx) {
    List<Finding> out = new ArrayList<>(2);
    PostureThresholds t = ctx.thresholds();
    if (n.owner() != null && ctx.departedOwners().containsKey(n.owner())) {
      InventoryItem i = Inventory.importedItem(n, id);
      if (isLive(i)) {
        out.add(ownerDeparted(i, ctx.departedOwners()));
      }
    }
    if (n.fingerprint() != null) {
      List<ImportedNhi> group = ctx.fingerprintGroup().apply(n.fingerprint());
      LeakRecord l = ctx.foreignLeaks().get(n.fingerprint());
      if (l != null && !group.isEmpty() && group.get(0).id().equals(id)) {
        out.add(foreignLeak(l, n, id));
      }
      if (group.size() > 1) {
        List<String> places =
            group.stream().map(g -> g.source() + "/" + g.name()).sorted().toList();
        Set<String> envs = new TreeSet<>();
        group.forEach(g -> envs.add(g.environment() == null ? "(none)" : g.environment()));
        out.add(
            new Finding(
                SHARED_SECRET,
                Severity.HIGH,
                "NHI9",
                id,
                n.name(),
                "the same secret (by fingerprint) is in " + group.size() + " places: " + places,
                "give each consumer its own credential (or its own workload identity)"));
        if (envs.size() > 1) {
          out.add(
              new Finding(
                  CROSS_ENVIRONMENT,
                  Severity.HIGH,
                  "NHI8",
                  id,
                  n.name(),
                  "the same secret is used in environments " + envs,
                  "issue a separate credential per environment"));
        }
      }
    }
    if (isCredential(n)) {
      if (n.expiresAt() != null && !ctx.now().isBefore(n.expiresAt())) {
        // it can no longer authenticate: age and rotation no longer matter, only the clutter
        out.add(
            new Finding(
                EXPIRED,
                Severity.LOW,
                "NHI1",
                id,
                n.name(),
                "expired at " + n.expiresAt() + " but still registered at " + n.source(),
                "delete it at its source"));
      } else {
        lifetimes(n, id, ctx.now(), t, out);
        replaceable(n, id, out);
      }
    }
    cloudIdentity(n, id, out);
    if (n.owner() == null) {
      out.add(
          new Finding(
              NO_OWNER,
              Severity.MEDIUM,
              "NHI1",
              id,
              n.name(),
              "no owner recorded (from " + n.source() + ")",
              "assign an owner: re-import with an owner column or attribute"));
    } else if (!ctx.knownOwners().contains(n.owner())) {
      out.add(
          new Finding(
              UNKNOWN_OWNER,
              Severity.LOW,
              "NHI1",
              id,
              n.name(),
              "owner '" + n.owner() + "' owns no workload known to Warden",
              "check that the owner exists and is current"));
    }
    if (n.lastUsedAt() != null && n.lastUsedAt().isBefore(ctx.now().minus(t.stale()))) {
      out.add(
          new Finding(
              STALE,
              Severity.MEDIUM,
              "NHI1",
              id,
              n.name(),
              "last used " + n.lastUsedAt(),
              "delete it at its source if nothing needs it"));
    }
    if ("github-workflow".equals(n.kind())
        && "true".equals(n.attributes().get("oidc"))
        && n.attributes().containsKey("secrets")) {
      out.add(
          new Finding(
              OIDC_AVAILABLE,
              Severity.MEDIUM,
              "NHI7",
              id,
              n.name(),
              "uses secrets "
                  + n.attributes().get("secrets")
                  + " although it already has id-token: write",
              "federate the workflow's OIDC token with Warden and drop the stored secrets"));
    }
    return out;
  }

  // NHI7: a live static credential that its platform can replace with federation
  private static void replaceable(ImportedNhi n, String id, List<Finding> out) {
    FederationPath p = FederationPath.of(n.attributes().get("replaceWith"));
    if (p == null) {
      return;
    }
    Map<String, String> a = n.attributes();
    StringBuilder evidence = new StringBuilder(p.label()).append(" from ").append(n.source());
    if (n.lastUsedAt() != null) {
      evidence.append(", last used ").append(n.lastUsedAt());
      if (a.containsKey("lastUsedService")) {
        evidence
            .append(" (")
            .append(a.get("lastUsedService"))
            .append(a.containsKey("lastUsedRegion") ? " in " + a.get("lastUsedRegion") : "")
            .append(')');
      }
    } else if ("true".equals(a.get("neverUsed"))) {
      evidence.append(", never used");
    }
    String remediation = p.remediation();
    if (p == FederationPath.AWS_WEB_IDENTITY && "true".equalsIgnoreCase(a.get("passwordEnabled"))) {
      evidence.append("; its user also signs in to the console, so a person may hold it");
      remediation =
          "if a workload uses it: "
              + remediation
              + "; if a person does: give them federated sign-in"
              + " (IAM Identity Center) and delete the key";
    }
    out.add(
        new Finding(
            FEDERATION_AVAILABLE,
            Severity.MEDIUM,
            "NHI7",
            id,
            n.name(),
            evidence.toString(),
            remediation));
  }

  // the AWS root user's keys (NHI5) and roles any token of an OIDC issuer may assume (NHI6)
  private static void cloudIdentity(ImportedNhi n, String id, List<Finding> out) {
    if (n.kind().equals(AwsCredentialReportImporter.ACCESS_KEY)
        && "true".equals(n.attributes().get("root"))) {
      out.add(
          new Finding(
              ROOT_ACCESS_KEY,
              Severity.CRITICAL,
              "NHI5",
              id,
              n.name(),
              "the AWS account's root user has an active access key ("
                  + n.source()
                  + "): it can do anything, and no"
                  + " policy can limit it",
              "delete the root user's access keys; give the workload an IAM role (federated with"
                  + " sts:AssumeRoleWithWebIdentity) instead"));
    }
    if (n.kind().equals(AwsAuthorizationDetailsImporter.ROLE)
        && "false".equals(n.attributes().get("tokenConstrained"))) {
      out.add(
          new Finding(
              UNCONSTRAINED_WEB_IDENTITY,
              Severity.HIGH,
              "NHI6",
              id,
              n.name(),
              "trusts "
                  + n.attributes().get("oidcProviders")
                  + " for sts:AssumeRoleWithWebIdentity without a condition on"
                  + " the token's sub or aud: any identity that issuer signs for may assume it",
              "add a StringEquals condition on <provider>:aud and <provider>:sub (the one repository, service account or"
                  + " workload) to the role's trust policy"));
    }
  }

  private static Finding ownerDeparted(InventoryItem i, Map<String, Instant> departed) {
    return new Finding(
        OWNER_DEPARTED,
        Severity.HIGH,
        "NHI1",
        i.id(),
        i.name(),
        "owner " + i.owner() + " departed at " + departed.get(i.owner()),
        "warden owner depart " + i.owner() + " --reassign-to <owner> (or --suspend)");
  }

  private static Finding foreignLeak(LeakRecord l, ImportedNhi known, String knownId) {
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

  // NHI1: identities and credentials that outlive their purpose
  static void offboarding(InventoryFacts f, Context ctx, List<Finding> out) {
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
                    + w.state().name().toLowerCase(java.util.Locale.ROOT),
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

  static ImportedNhi first(Context ctx, String fingerprint) {
    List<ImportedNhi> g = ctx.fingerprintGroup().apply(fingerprint);
    return g.isEmpty() ? null : g.get(0);
  }

  private static boolean isLive(InventoryItem i) {
    String state = i.attributes().get("state");
    return !"retired".equals(state) && !"false".equals(i.attributes().get("usable"));
  }

  // NHI2: leaks of issued credentials, and of foreign secrets no imported item matches
  static void leaks(InventoryFacts f, Context ctx, List<Finding> out) {
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
  static void unusedGrants(InventoryFacts f, PostureThresholds t, List<Finding> out) {
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
                      + g.sensitivity().name().toLowerCase(java.util.Locale.ROOT)
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
  static void lifetimes(InventoryFacts f, List<Finding> out) {
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
  static void brokeredSecrets(InventoryFacts f, List<Finding> out) {
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

  // NHI7, on one imported static credential
  static void lifetimes(
      ImportedNhi n, String id, Instant now, PostureThresholds t, List<Finding> out) {
    if (n.expiresAt() == null) {
      out.add(
          new Finding(
              MISSING_EXPIRY,
              Severity.MEDIUM,
              "NHI7",
              id,
              n.name(),
              "static credential from " + n.source() + " has no expiry",
              "give it an expiry, or replace it with workload identity and short-lived tokens"));
    }
    if (n.createdAt() != null
        && Duration.between(n.createdAt(), now).compareTo(t.staticMaxAge()) > 0) {
      out.add(
          new Finding(
              LONG_LIVED,
              Severity.HIGH,
              "NHI7",
              id,
              n.name(),
              "created "
                  + n.createdAt()
                  + ", "
                  + days(Duration.between(n.createdAt(), now))
                  + " old (limit "
                  + days(t.staticMaxAge())
                  + ")",
              "replace it with a Warden-issued short-lived credential (see maturity stage 7)"));
    }
    Instant rotated = n.lastRotatedAt() != null ? n.lastRotatedAt() : n.createdAt();
    // a credential's own schedule (attribute rotationInterval, e.g. 30d) overrides the estate
    // default
    Duration every = t.rotationInterval();
    String schedule = "estate default";
    String own = n.attributes().get("rotationInterval");
    if (own != null) {
      try {
        Duration d = dev.warden.core.model.Durations.parse("rotationInterval", own);
        if (d != null && !d.isNegative() && !d.isZero()) {
          every = d;
          schedule = "its rotation schedule";
        }
      } catch (dev.warden.core.error.ValidationException e) {
        schedule = "estate default; its rotationInterval '" + own + "' is not a duration";
      }
    }
    if (rotated != null && Duration.between(rotated, now).compareTo(every) > 0) {
      out.add(
          new Finding(
              ROTATION_OVERDUE,
              Severity.MEDIUM,
              "NHI7",
              id,
              n.name(),
              "last rotated "
                  + rotated
                  + ", due "
                  + rotated.plus(every)
                  + " (every "
                  + days(every)
                  + ", "
                  + schedule
                  + ")",
              "rotate it now"));
    }
  }

  // NHI10
  static void humanUse(InventoryFacts f, PostureThresholds t, List<Finding> out) {
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

  static void stale(InventoryFacts f, PostureThresholds t, List<Finding> out) {
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

  /**
   * Imported items that are secrets, not the identities or pipelines that consume them (an IAM user
   * or the root account is judged through its keys, which are items of their own).
   */
  static boolean isCredential(ImportedNhi n) {
    return Inventory.importedType(n) == CredentialType.STATIC && !IDENTITY_KINDS.contains(n.kind());
  }

  private static final Set<String> IDENTITY_KINDS =
      Set.of(
          "github-workflow",
          AwsAuthorizationDetailsImporter.USER,
          AwsCredentialReportImporter.ROOT_ACCOUNT);

  private static String days(Duration d) {
    return d.toDays() + "d";
  }
}
