package dev.warden.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.document.Documents;
import dev.warden.core.document.Kind;
import dev.warden.core.edge.ProxyDeclaration;
import dev.warden.core.error.ConflictException;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Named;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.policy.Conditions;
import dev.warden.core.store.ConfigStore;
import dev.warden.core.store.ObjectStore;
import dev.warden.core.store.Store;
import dev.warden.core.store.Versioned;
import dev.warden.core.trust.TrustProviders;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Policy as code: validates, diffs, stores and audits configuration documents. {@code apply} is
 * idempotent (an unchanged document is not rewritten and gets no new version), and every change is
 * versioned by the store and audited here.
 *
 * <p>Why it is over 400 lines: validate, compile, diff, store and audit are one transaction-shaped
 * path per change; the steps are in order in one class so that "validate before writing" can be
 * checked by reading it.
 */
public final class ConfigService {
  private final Store store;
  private final AuditWriter audit;
  private final Clock clock;
  private final ProvisioningRules rules;
  private final java.util.function.Consumer<dev.warden.core.model.Resource> resourceCheck;

  public ConfigService(Store store, AuditWriter audit, Clock clock) {
    this(store, audit, clock, ProvisioningRules.DEFAULTS);
  }

  public ConfigService(Store store, AuditWriter audit, Clock clock, ProvisioningRules rules) {
    this(store, audit, clock, rules, r -> {});
  }

  private ConfigService(
      Store store,
      AuditWriter audit,
      Clock clock,
      ProvisioningRules rules,
      java.util.function.Consumer<dev.warden.core.model.Resource> resourceCheck) {
    this.store = store;
    this.audit = audit;
    this.clock = clock;
    this.rules = rules;
    this.resourceCheck = resourceCheck;
  }

  /**
   * This service, also checking each new or changed resource against the world before it is stored:
   * a database resource must be reachable with its admin credentials (see {@link
   * dev.warden.core.database.DatabaseTargets#verify}). The check throws {@link
   * ValidationException}; then nothing is written.
   */
  public ConfigService withResourceCheck(
      java.util.function.Consumer<dev.warden.core.model.Resource> check) {
    return new ConfigService(store, audit, clock, rules, check);
  }

  /**
   * How often a change is re-validated when another change committed between validation and write.
   */
  private static final int ATTEMPTS = 5;

  /** One document's planned change, with the write it needs (null when unchanged). */
  private record Planned(
      Change change, ConfigStore.@Nullable Write write, @Nullable JsonNode spec) {}

  /**
   * Applies documents as one change, or only computes what would change.
   *
   * <p>Validate before write: every document is checked and the configuration that would result is
   * compiled (each new or changed trust provider and policy condition, issuer uniqueness across all
   * providers) before anything is written; then all documents are stored in one transaction, and
   * only if no other change committed meanwhile (else it is validated again). A refused change
   * leaves the store exactly as it was. Objects already stored that no longer compile do not block
   * a change to other objects: they stay disabled until fixed.
   *
   * @throws ValidationException for the first invalid document; nothing is written
   * @throws ConflictException when a trust provider's issuer is already used by another provider,
   *     or the configuration kept changing underneath; nothing is written
   */
  public List<Change> apply(List<Named> docs, boolean dryRun, String actor) {
    checkDistinct(docs);
    for (int attempt = 1; ; attempt++) {
      ConfigStore.Revision base = store.config().revision();
      List<Planned> plan = plan(docs);
      List<ConfigStore.Write> writes =
          plan.stream().map(Planned::write).filter(java.util.Objects::nonNull).toList();
      if (dryRun || writes.isEmpty()) {
        return plan.stream().map(Planned::change).toList();
      }
      List<Versioned<@Nullable Named>> stored;
      try {
        stored = store.config().commit(base, writes, actor);
      } catch (ConflictException e) {
        if (attempt == ATTEMPTS) {
          throw e;
        }
        continue;
      }
      List<Change> changes = new ArrayList<>();
      int w = 0;
      for (Planned p : plan) {
        Change c = p.change();
        if (p.write() == null) {
          changes.add(c);
          continue;
        }
        long version = stored.get(w++).version();
        changes.add(
            new Change(
                c.kind(), c.name(), c.action(), c.fromVersion(), version, c.diff(), c.warnings()));
        auditChange(
            "created".equals(c.action()) ? AuditType.CONFIG_CREATED : AuditType.CONFIG_UPDATED,
            c.kind(),
            c.name(),
            version,
            p.spec(),
            actor);
      }
      return changes;
    }
  }

  private static void checkDistinct(List<Named> docs) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < docs.size(); i++) {
      Named d = docs.get(i);
      if (!seen.add(Documents.kindOf(d).wire() + "/" + d.name())) {
        throw new ValidationException(
            "documents[" + i + "].metadata.name",
            Documents.kindOf(d).wire()
                + " '"
                + d.name()
                + "' appears twice in one apply; keep one document per object");
      }
    }
  }

  /**
   * Reads the current state, validates every document against the configuration that would result.
   */
  private List<Planned> plan(List<Named> docs) {
    Map<String, TrustProviderSpec> providers = new java.util.LinkedHashMap<>();
    for (Versioned<Named> v : store(Kind.TRUST_PROVIDER).list()) {
      providers.put(v.value().name(), (TrustProviderSpec) v.value());
    }
    java.util.Set<String> batchResources = new java.util.HashSet<>();
    for (Named d : docs) {
      if (d instanceof TrustProviderSpec t) {
        providers.put(t.name(), t);
      } else if (d instanceof dev.warden.core.model.Resource r) {
        batchResources.add(r.name());
      }
    }
    List<Planned> plan = new ArrayList<>();
    for (Named d : docs) {
      Kind kind = Documents.kindOf(d);
      Optional<Versioned<Named>> cur = store(kind).get(d.name());
      ObjectNode newSpec = Documents.toSpec(d);
      List<String> diff =
          diff("", cur.map(v -> (JsonNode) Documents.toSpec(v.value())).orElse(null), newSpec);
      if (cur.isPresent() && diff.isEmpty()) {
        long v = cur.get().version();
        plan.add(new Planned(new Change(kind, d.name(), "unchanged", v, v, List.of()), null, null));
        continue;
      }
      validate(d, providers);
      if (d instanceof ProxyDeclaration e) {
        EdgeProxyRules.check(e, resourceLookup(docs));
      }
      List<String> warnings =
          d instanceof AccessPolicy p
              ? missingResources(p, batchResources)
              : d instanceof dev.warden.core.model.Resource r
                  ? missingSecret(r)
                  : d instanceof ProxyDeclaration e
                      ? EdgeProxyRules.warnings(
                          e,
                          docs,
                          resourceLookup(docs),
                          store.edgeProxies().list().stream().map(Versioned::value).toList())
                      : List.of();
      long from = cur.map(Versioned::version).orElse(0L);
      plan.add(
          new Planned(
              new Change(
                  kind,
                  d.name(),
                  cur.isPresent() ? "updated" : "created",
                  from,
                  from + 1,
                  diff,
                  warnings),
              ConfigStore.Write.put(kind, d, from),
              newSpec));
    }
    return plan;
  }

  /**
   * A secret resource may be applied before its secret is written (configuration and secret values
   * come from different people and pipelines): a warning, and reads are refused until it exists.
   */
  private List<String> missingSecret(dev.warden.core.model.Resource r) {
    if (r.secret() == null || store.brokeredSecrets().get(r.secret()).isPresent()) {
      return List.of();
    }
    return List.of(
        "spec.secret.name: no brokered secret named '"
            + r.secret()
            + "' is stored yet; reads through"
            + " this resource are refused (secret_unavailable) until it is written with 'warden secret put "
            + r.secret()
            + "'");
  }

  /** Resources by name as they will be after the change: the batch's first, then the store's. */
  private java.util.function.Function<String, dev.warden.core.model.@Nullable Resource>
      resourceLookup(List<Named> batch) {
    return name -> {
      for (Named n : batch) {
        if (n instanceof dev.warden.core.model.Resource r && r.name().equals(name)) {
          return r;
        }
      }
      return store.resources().get(name).map(Versioned::value).orElse(null);
    };
  }

  private List<String> missingResources(AccessPolicy p, java.util.Set<String> batchResources) {
    List<String> out = new ArrayList<>();
    for (String r : p.resources()) {
      if (!batchResources.contains(r) && store(Kind.RESOURCE).get(r).isEmpty()) {
        out.add(
            "spec.resources: resource '"
                + r
                + "' does not exist; this policy grants nothing for it until a"
                + " Resource named '"
                + r
                + "' is applied");
      }
    }
    return out;
  }

  /**
   * Deletes an object. Deletes always take effect: removing an object cannot make the rest of the
   * configuration fail to compile.
   *
   * @throws NotFoundException when it does not exist
   */
  public Change delete(Kind kind, String name, boolean dryRun, String actor) {
    for (int attempt = 1; ; attempt++) {
      ConfigStore.Revision base = store.config().revision();
      Versioned<Named> cur =
          store(kind).get(name).orElseThrow(() -> new NotFoundException(kind.wire(), name));
      if (dryRun) {
        return new Change(kind, name, "deleted", cur.version(), cur.version() + 1, List.of());
      }
      try {
        store
            .config()
            .commit(base, List.of(ConfigStore.Write.delete(kind, name, cur.version())), actor);
      } catch (ConflictException e) {
        if (attempt == ATTEMPTS) {
          throw e;
        }
        continue;
      }
      auditChange(AuditType.CONFIG_DELETED, kind, name, cur.version() + 1, null, actor);
      return new Change(kind, name, "deleted", cur.version(), cur.version() + 1, List.of());
    }
  }

  public Optional<Versioned<Named>> get(Kind kind, String name) {
    return store(kind).get(name);
  }

  public List<Versioned<Named>> list(Kind kind) {
    return store(kind).list();
  }

  public List<Versioned<@Nullable Named>> history(Kind kind, String name) {
    return store(kind).history(name);
  }

  /**
   * Checks one new or changed document against the configuration that would result.
   *
   * @param providers every trust provider after the change, by name
   */
  private void validate(Named d, Map<String, TrustProviderSpec> providers) {
    if (d instanceof dev.warden.core.model.Workload w) {
      checkProvisioning(w);
    }
    if (d instanceof dev.warden.core.model.Resource r) {
      resourceCheck.accept(r);
    }
    if (d instanceof AccessPolicy p && p.condition() != null) {
      try {
        Conditions.check(p.condition());
      } catch (ValidationException e) {
        String message =
            Objects.requireNonNull(e.getMessage(), "a ValidationException has a message");
        String detail =
            message.startsWith(e.field() + ": ")
                ? message.substring(e.field().length() + 2)
                : message;
        throw new ValidationException(e.field(), "policy '" + p.name() + "': " + detail);
      }
    }
    if (d instanceof TrustProviderSpec t) {
      String issuer = TrustProviders.issuerOf(t);
      for (TrustProviderSpec o : providers.values()) {
        if (!o.name().equals(t.name()) && TrustProviders.issuerOf(o).equals(issuer)) {
          throw new ConflictException(
              "trust provider '"
                  + o.name()
                  + "' already uses issuer "
                  + t.issuer()
                  + "; an issuer maps to exactly one provider");
        }
      }
      TrustProviders.check(t, clock);
    }
  }

  /**
   * The guardrail applies when a workload is created or its expiry changes, so owners can still
   * suspend, reassign or retire workloads made before the rule was switched on.
   */
  private void checkProvisioning(dev.warden.core.model.Workload w) {
    Optional<Versioned<Named>> cur = store(Kind.WORKLOAD).get(w.name());
    java.time.Instant before =
        cur.map(v -> ((dev.warden.core.model.Workload) v.value()).expiresAt()).orElse(null);
    boolean expiryChanged = cur.isEmpty() || !java.util.Objects.equals(before, w.expiresAt());
    if (!expiryChanged || w.state() != dev.warden.core.model.WorkloadState.ACTIVE) {
      return;
    }
    java.time.Instant latest = clock.instant().plus(rules.maxLifetime());
    if (w.expiresAt() == null && rules.requireExpiry()) {
      throw new ValidationException(
          "spec.expiresAt",
          "is required for "
              + w.name()
              + " (workloads.requireExpiry): set an expiry no later than "
              + latest.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
              + ", and renew it when the workload is recertified");
    }
    if (w.expiresAt() != null && w.expiresAt().isAfter(latest)) {
      throw new ValidationException(
          "spec.expiresAt",
          w.expiresAt()
              + " for "
              + w.name()
              + " is further than "
              + dev.warden.core.model.Durations.format(rules.maxLifetime())
              + " away (workloads.maxLifetime); use "
              + latest.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
              + " or earlier");
    }
  }

  @SuppressWarnings("unchecked")
  private ObjectStore<Named> store(Kind kind) {
    ObjectStore<? extends Named> s =
        switch (kind) {
          case TRUST_PROVIDER -> store.trustProviders();
          case WORKLOAD -> store.workloads();
          case RESOURCE -> store.resources();
          case ACCESS_POLICY -> store.policies();
          case EDGE_PROXY -> store.edgeProxies();
        };
    return (ObjectStore<Named>) s;
  }

  private void auditChange(
      AuditType type, Kind kind, String name, long version, @Nullable JsonNode spec, String actor) {
    Map<String, String> details = new HashMap<>();
    details.put("kind", kind.wire());
    details.put("name", name);
    details.put("version", Long.toString(version));
    if (spec != null) {
      details.put("specSha256", HexFormat.of().formatHex(Hashes.sha256(spec.toString())));
    }
    audit.write(
        AuditEvent.of(
            type, AuditOutcome.SUCCESS, null, clock.instant(), actor, null, null, details));
  }

  /** Audits an operator's revocation of one lease. */
  public void auditLeaseRevocation(dev.warden.core.model.Lease l, String actor) {
    audit.write(dev.warden.core.lease.LeaseService.revokedEvent(l, actor, clock.instant()));
  }

  /** Field-by-field difference of two specs, as {@code path: old -> new} lines. */
  static List<String> diff(String path, @Nullable JsonNode a, @Nullable JsonNode b) {
    List<String> out = new ArrayList<>();
    if (a != null && b != null && a.isObject() && b.isObject()) {
      TreeSet<String> fields = new TreeSet<>();
      for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
        fields.add(it.next());
      }
      for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
        fields.add(it.next());
      }
      for (String f : fields) {
        out.addAll(diff(path.isEmpty() ? f : path + "." + f, a.get(f), b.get(f)));
      }
      return out;
    }
    if (a == null && b != null && b.isObject()) {
      return diff(
          path, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), b);
    }
    if (a == null ? b == null : a.equals(b)) {
      return out;
    }
    out.add(
        path
            + ": "
            + (a == null ? "(none)" : a.toString())
            + " -> "
            + (b == null ? "(none)" : b.toString()));
    return out;
  }
}
