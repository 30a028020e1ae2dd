package dev.warden.core.inventory;

import dev.warden.core.admin.AdminToken;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the one list of NHIs from {@link InventoryFacts}: workloads, credentials Warden issued
 * (one item per workload and resource), admin tokens, imported items and leaked credentials.
 */
public final class Inventory {
  /** Filters of a listing; null fields do not filter. */
  /**
   * Which items a listing keeps; null fields do not filter.
   *
   * @param text a case-insensitive substring of the item's id, name, owner, team or (a workload's)
   *     selectors: the console's free-text search
   */
  public record Filter(
      String kind,
      String owner,
      String team,
      String environment,
      CredentialType credentialType,
      String text) {
    public static final int MAX_TEXT = 200;

    public Filter {
      text =
          text == null || text.isBlank() ? null : text.strip().toLowerCase(java.util.Locale.ROOT);
      if (text != null && text.length() > MAX_TEXT) {
        throw new dev.warden.core.error.ValidationException(
            "q", "must be at most " + MAX_TEXT + " characters");
      }
    }

    /** Without a text search. */
    public Filter(
        String kind, String owner, String team, String environment, CredentialType credentialType) {
      this(kind, owner, team, environment, credentialType, null);
    }

    boolean test(InventoryItem i) {
      return matches(i.kind(), i.owner(), i.team(), i.environment())
          && (credentialType == null || credentialType == i.credentialType())
          && (text == null
              || contains(i.id())
              || contains(i.name())
              || contains(i.owner())
              || contains(i.team())
              || contains(i.attributes().get("selectors")));
    }

    /** {@link #test} on an imported item, without building its row. */
    boolean testImported(ImportedNhi n) {
      return matches(n.kind(), n.owner(), n.team(), n.environment())
          && (credentialType == null || credentialType == importedType(n))
          && (text == null || contains(n.name()) || contains(n.owner()) || contains(n.team()));
    }

    private boolean matches(String k, String o, String t, String e) {
      return (kind == null || kind.equals(k))
          && (owner == null || owner.equals(o))
          && (team == null || team.equals(t))
          && (environment == null || environment.equals(e));
    }

    private boolean contains(String v) {
      return v != null && v.toLowerCase(java.util.Locale.ROOT).contains(text);
    }
  }

  private Inventory() {}

  /** Every item, ordered by id. */
  public static List<InventoryItem> build(InventoryFacts f) {
    Map<String, ImportedNhi> byFingerprint = new HashMap<>();
    for (ImportedNhi n : f.imported()) {
      if (n.fingerprint() != null && !n.fingerprint().isEmpty()) {
        byFingerprint.putIfAbsent(n.fingerprint(), n);
      }
    }
    List<InventoryItem> out = wardenItems(f, byFingerprint::get);
    for (ImportedNhi n : f.imported()) {
      out.add(importedItem(n, n.id()));
    }
    out.sort(Comparator.comparing(InventoryItem::id));
    return out;
  }

  /** One imported item as an inventory row ({@code id} is its {@link ImportedNhi#id()}). */
  static InventoryItem importedItem(ImportedNhi n, String id) {
    Map<String, String> attrs = new LinkedHashMap<>(n.attributes());
    if (n.location() != null) {
      attrs.put("location", n.location());
    }
    if (n.fingerprint() != null) {
      attrs.put("fingerprint", n.fingerprint());
    }
    return new InventoryItem(
        id,
        n.kind(),
        n.name(),
        n.owner(),
        n.team(),
        n.environment(),
        n.source(),
        n.createdAt(),
        n.expiresAt(),
        n.lastUsedAt(),
        importedType(n),
        importedPrivileges(n),
        n.lastRotatedAt() != null ? n.lastRotatedAt() : n.createdAt(),
        attrs);
  }

  /**
   * The items Warden holds itself: workloads, issued credentials, admin tokens and leaks (a leak of
   * a foreign secret takes its owner from the first imported item with its fingerprint). Unordered.
   */
  static List<InventoryItem> wardenItems(
      InventoryFacts f, java.util.function.Function<String, ImportedNhi> firstByFingerprint) {
    Map<String, Resource> resources = resourcesByName(f);
    Map<String, Workload> workloads = new HashMap<>();
    f.workloads().forEach(w -> workloads.put(w.name(), w));
    Map<String, Instant> lastUsed = lastUsedByWorkload(f);
    List<InventoryItem> out = new ArrayList<>();
    for (Workload w : f.workloads()) {
      Map<String, String> attrs = new LinkedHashMap<>();
      attrs.put("state", w.state().name().toLowerCase(java.util.Locale.ROOT));
      attrs.put(
          "selectors", w.selectors().stream().map(Object::toString).sorted().toList().toString());
      out.add(
          new InventoryItem(
              workloadId(w.name()),
              "workload",
              w.name(),
              w.owner(),
              w.team(),
              w.environment(),
              "warden",
              f.workloadCreated().get(w.name()),
              w.expiresAt(),
              lastUsed.get(w.name()),
              CredentialType.ATTESTED_IDENTITY,
              Grants.of(w, f.policies(), resources).stream().map(Grants.Grant::resource).toList(),
              null,
              attrs));
    }
    for (LeaseSummary s : f.leases()) {
      Workload w = s.workload() == null ? null : workloads.get(s.workload());
      Map<String, String> attrs = new LinkedHashMap<>();
      attrs.put("workload", Objects.toString(s.workload(), ""));
      attrs.put("count", Long.toString(s.count()));
      attrs.put("active", Long.toString(s.active()));
      attrs.put("longestTtl", s.longestTtl().toString());
      out.add(
          new InventoryItem(
              credentialId(s.workload(), s.resource()),
              "issued-credential",
              s.workload() + " -> " + s.resource(),
              w == null ? null : w.owner(),
              w == null ? null : w.team(),
              w == null ? null : w.environment(),
              "warden",
              s.firstIssued(),
              s.lastExpiry(),
              s.lastIssued(),
              CredentialType.SHORT_LIVED,
              s.resource() == null ? List.of() : List.of(s.resource()),
              s.lastIssued(),
              attrs));
    }
    for (AdminToken t : f.adminTokens()) {
      Map<String, String> attrs = new LinkedHashMap<>();
      attrs.put("scopes", String.join(" ", t.scopes().stream().sorted().toList()));
      attrs.put("usable", Boolean.toString(t.isUsable(f.now())));
      if (t.revokedAt() != null) {
        attrs.put("revokedAt", t.revokedAt().toString());
      }
      out.add(
          new InventoryItem(
              "admin-token:" + t.id(),
              "admin-token",
              t.name() == null ? t.id() : t.name(),
              t.createdBy(),
              null,
              null,
              "warden",
              t.createdAt(),
              t.expiresAt(),
              null,
              CredentialType.STATIC,
              t.scopes().stream().sorted().toList(),
              t.createdAt(),
              attrs));
    }
    for (SecretSummary s : f.secrets()) {
      var m = s.metadata();
      Map<String, String> attrs = new LinkedHashMap<>();
      attrs.put("currentVersion", Long.toString(m.currentVersion()));
      attrs.put("readers", String.join(",", s.readers().stream().map(r -> r.workload()).toList()));
      if (m.settings().rotationInterval() != null) {
        attrs.put(
            "rotationInterval",
            dev.warden.core.model.Durations.format(m.settings().rotationInterval()));
      }
      attrs.put(
          "rotation",
          m.settings().rotation() == null ? "by its owner" : m.settings().rotation().connector());
      List<String> usedBy =
          f.resources().stream()
              .filter(r -> m.name().equals(r.secret()))
              .map(Resource::name)
              .sorted()
              .toList();
      out.add(
          new InventoryItem(
              secretId(m.name()),
              "brokered-secret",
              m.name(),
              m.settings().owner(),
              null,
              null,
              "warden",
              m.createdAt(),
              null,
              m.lastReadAt(),
              CredentialType.STATIC,
              usedBy,
              m.lastRotatedAt(),
              attrs));
    }
    for (LeakRecord l : f.leaks()) {
      if (!l.issued()) {
        // a secret Warden did not issue: owned by whoever owns the imported credential it matches
        ImportedNhi known = firstByFingerprint.apply(l.fingerprint());
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("fingerprint", l.fingerprint());
        attrs.put("reportedBy", Objects.toString(l.source(), ""));
        attrs.put("path", Objects.toString(l.path(), ""));
        if (known != null) {
          attrs.put("matches", known.id());
        }
        out.add(
            new InventoryItem(
                l.itemId(),
                "leaked-secret",
                known != null ? known.name() : attrs.get("path"),
                known == null ? null : known.owner(),
                known == null ? null : known.team(),
                known == null ? null : known.environment(),
                "scan",
                l.reportedAt(),
                null,
                null,
                CredentialType.STATIC,
                List.of(),
                null,
                attrs));
        continue;
      }
      Workload w = l.workload() == null ? null : workloads.get(l.workload());
      Map<String, String> attrs = new LinkedHashMap<>();
      attrs.put("fingerprint", l.fingerprint());
      attrs.put("leaseId", l.leaseId());
      attrs.put("reportedBy", Objects.toString(l.source(), ""));
      attrs.put("path", Objects.toString(l.path(), ""));
      out.add(
          new InventoryItem(
              "leak:" + l.leaseId(),
              "leaked-credential",
              l.leaseId(),
              w == null ? null : w.owner(),
              w == null ? null : w.team(),
              w == null ? null : w.environment(),
              "warden",
              l.reportedAt(),
              null,
              null,
              CredentialType.SHORT_LIVED,
              l.resource() == null ? List.of() : List.of(l.resource()),
              null,
              attrs));
    }
    return out;
  }

  /** {@link #build} with a filter applied. */
  public static List<InventoryItem> list(InventoryFacts f, Filter filter) {
    return build(f).stream().filter(filter::test).toList();
  }

  public static String workloadId(String spiffeId) {
    return "workload:" + spiffeId;
  }

  public static String secretId(String name) {
    return "brokered-secret:" + name;
  }

  public static String credentialId(String workload, String resource) {
    return "credential:" + workload + "|" + resource;
  }

  static Map<String, Resource> resourcesByName(InventoryFacts f) {
    Map<String, Resource> m = new HashMap<>();
    f.resources().forEach(r -> m.put(r.name(), r));
    return m;
  }

  /** Newest issuance per workload, from audit events and leases (whichever is newer). */
  static Map<String, Instant> lastUsedByWorkload(InventoryFacts f) {
    Map<String, Instant> m = new HashMap<>();
    for (Usage u : f.usage()) {
      if (u.workload() != null && u.lastIssued() != null) {
        m.merge(u.workload(), u.lastIssued(), (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    for (LeaseSummary s : f.leases()) {
      if (s.workload() != null && s.lastIssued() != null) {
        m.merge(s.workload(), s.lastIssued(), (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    return m;
  }

  /**
   * Service accounts are platform identities; an AWS role holds no secret (federated when it trusts
   * an OIDC provider, else assumed by the services and principals it trusts); everything else
   * imported is static.
   */
  static CredentialType importedType(ImportedNhi n) {
    if (n.kind().equals(AwsAuthorizationDetailsImporter.ROLE)) {
      return "true".equals(n.attributes().get("federated"))
          ? CredentialType.FEDERATED
          : CredentialType.ATTESTED_IDENTITY;
    }
    return n.kind().equals("k8s-service-account")
            || "true".equals(n.attributes().get("oidc")) && !n.attributes().containsKey("secrets")
        ? CredentialType.ATTESTED_IDENTITY
        : CredentialType.STATIC;
  }

  static List<String> importedPrivileges(ImportedNhi n) {
    String p = n.attributes().getOrDefault("resources", n.attributes().get("permissions"));
    if (p == null || p.isBlank()) {
      return List.of();
    }
    return List.of(p.trim().split("\\s*,\\s*"));
  }
}
