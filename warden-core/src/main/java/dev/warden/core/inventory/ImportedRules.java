package dev.warden.core.inventory;

import static dev.warden.core.inventory.Posture.CROSS_ENVIRONMENT;
import static dev.warden.core.inventory.Posture.EXPIRED;
import static dev.warden.core.inventory.Posture.FEDERATION_AVAILABLE;
import static dev.warden.core.inventory.Posture.LONG_LIVED;
import static dev.warden.core.inventory.Posture.MISSING_EXPIRY;
import static dev.warden.core.inventory.Posture.NO_OWNER;
import static dev.warden.core.inventory.Posture.OIDC_AVAILABLE;
import static dev.warden.core.inventory.Posture.ROOT_ACCESS_KEY;
import static dev.warden.core.inventory.Posture.ROTATION_OVERDUE;
import static dev.warden.core.inventory.Posture.SHARED_SECRET;
import static dev.warden.core.inventory.Posture.STALE;
import static dev.warden.core.inventory.Posture.UNCONSTRAINED_WEB_IDENTITY;
import static dev.warden.core.inventory.Posture.UNKNOWN_OWNER;
import static dev.warden.core.inventory.Posture.days;
import static dev.warden.core.inventory.Posture.foreignLeak;
import static dev.warden.core.inventory.Posture.isLive;
import static dev.warden.core.inventory.Posture.ownerDeparted;

import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.Finding.Severity;
import dev.warden.core.model.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The posture rules on one imported item (a credential or identity found at its source): judged one
 * at a time against a {@link Posture.Context}, so that {@link PostureIndex} can re-judge only the
 * items a change touches.
 */
final class ImportedRules {
  private ImportedRules() {}

  /**
   * Findings on one imported item ({@code id} is its {@link ImportedNhi#id()}, passed to save
   * hashing it again).
   */
  static List<Finding> imported(ImportedNhi n, String id, Posture.Context ctx) {
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
        staticLifetimes(n, id, ctx.now(), t, out);
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

  // NHI7, on one imported static credential
  private static void staticLifetimes(
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
        Duration d = Durations.parse("rotationInterval", own);
        if (d != null && !d.isNegative() && !d.isZero()) {
          every = d;
          schedule = "its rotation schedule";
        }
      } catch (ValidationException e) {
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
}
