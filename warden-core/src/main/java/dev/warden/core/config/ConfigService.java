package dev.warden.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.document.Documents;
import dev.warden.core.document.Kind;
import dev.warden.core.error.ConflictException;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Named;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.policy.Conditions;
import dev.warden.core.store.ObjectStore;
import dev.warden.core.store.Store;
import dev.warden.core.store.Versioned;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Policy as code: validates, diffs, stores and audits configuration documents. {@code apply} is
 * idempotent (an unchanged document is not rewritten and gets no new version), and every change
 * is versioned by the store and audited here.
 */
public final class ConfigService {
  private final Store store;
  private final AuditWriter audit;
  private final Clock clock;
  private final ProvisioningRules rules;

  public ConfigService(Store store, AuditWriter audit, Clock clock) {
    this(store, audit, clock, ProvisioningRules.DEFAULTS);
  }

  public ConfigService(Store store, AuditWriter audit, Clock clock, ProvisioningRules rules) {
    this.store = store;
    this.audit = audit;
    this.clock = clock;
    this.rules = rules;
  }

  /**
   * Applies documents in order, or only computes what would change.
   *
   * @throws ValidationException for the first invalid document, before anything is written
   * @throws ConflictException when a trust provider's issuer is already used by another provider
   */
  public List<Change> apply(List<Named> docs, boolean dryRun, String actor) {
    for (Named d : docs) {
      validate(d, docs);
    }
    List<Change> changes = new ArrayList<>();
    for (Named d : docs) {
      Kind kind = Documents.kindOf(d);
      ObjectStore<Named> s = store(kind);
      Optional<Versioned<Named>> cur = s.get(d.name());
      ObjectNode newSpec = Documents.toSpec(d);
      if (cur.isPresent()) {
        ObjectNode oldSpec = Documents.toSpec(cur.get().value());
        List<String> diff = diff("", oldSpec, newSpec);
        long v = cur.get().version();
        if (diff.isEmpty()) {
          changes.add(new Change(kind, d.name(), "unchanged", v, v, List.of()));
          continue;
        }
        if (dryRun) {
          changes.add(new Change(kind, d.name(), "updated", v, v + 1, diff));
          continue;
        }
        Versioned<Named> stored = s.put(d, v, actor);
        changes.add(new Change(kind, d.name(), "updated", v, stored.version(), diff));
        auditChange("config.updated", kind, d.name(), stored.version(), newSpec, actor);
      } else {
        List<String> diff = diff("", null, newSpec);
        if (dryRun) {
          changes.add(new Change(kind, d.name(), "created", 0, 1, diff));
          continue;
        }
        Versioned<Named> stored = s.put(d, 0, actor);
        changes.add(new Change(kind, d.name(), "created", 0, stored.version(), diff));
        auditChange("config.created", kind, d.name(), stored.version(), newSpec, actor);
      }
    }
    return changes;
  }

  /**
   * Deletes an object.
   *
   * @throws NotFoundException when it does not exist
   */
  public Change delete(Kind kind, String name, boolean dryRun, String actor) {
    ObjectStore<Named> s = store(kind);
    Versioned<Named> cur = s.get(name).orElseThrow(() -> new NotFoundException(kind.wire(), name));
    if (!dryRun) {
      s.delete(name, actor);
      auditChange("config.deleted", kind, name, cur.version() + 1, null, actor);
    }
    return new Change(kind, name, "deleted", cur.version(), cur.version() + 1, List.of());
  }

  public Optional<Versioned<Named>> get(Kind kind, String name) {
    return store(kind).get(name);
  }

  public List<Versioned<Named>> list(Kind kind) {
    return store(kind).list();
  }

  public List<Versioned<Named>> history(Kind kind, String name) {
    return store(kind).history(name);
  }

  private void validate(Named d, List<Named> batch) {
    if (d instanceof dev.warden.core.model.Workload w) {
      checkProvisioning(w);
    }
    if (d instanceof AccessPolicy p && p.condition() != null) {
      Conditions.check(p.condition());
    }
    if (d instanceof TrustProviderSpec t) {
      for (Versioned<Named> other : store(Kind.TRUST_PROVIDER).list()) {
        TrustProviderSpec o = (TrustProviderSpec) other.value();
        if (!o.name().equals(t.name()) && o.issuer().equals(t.issuer())
            && batch.stream().noneMatch(b -> b instanceof TrustProviderSpec bt && bt.name().equals(o.name())
                && !bt.issuer().equals(t.issuer()))) {
          throw new ConflictException("trust provider '" + o.name() + "' already uses issuer " + t.issuer()
              + "; an issuer maps to exactly one provider");
        }
      }
    }
  }

  /**
   * The guardrail applies when a workload is created or its expiry changes, so owners can still
   * suspend, reassign or retire workloads made before the rule was switched on.
   */
  private void checkProvisioning(dev.warden.core.model.Workload w) {
    Optional<Versioned<Named>> cur = store(Kind.WORKLOAD).get(w.name());
    java.time.Instant before = cur.map(v -> ((dev.warden.core.model.Workload) v.value()).expiresAt()).orElse(null);
    boolean expiryChanged = cur.isEmpty() || !java.util.Objects.equals(before, w.expiresAt());
    if (!expiryChanged || w.state() != dev.warden.core.model.WorkloadState.ACTIVE) {
      return;
    }
    java.time.Instant latest = clock.instant().plus(rules.maxLifetime());
    if (w.expiresAt() == null && rules.requireExpiry()) {
      throw new ValidationException("spec.expiresAt", "is required for " + w.name()
          + " (workloads.requireExpiry): set an expiry no later than " + latest.truncatedTo(
              java.time.temporal.ChronoUnit.SECONDS) + ", and renew it when the workload is recertified");
    }
    if (w.expiresAt() != null && w.expiresAt().isAfter(latest)) {
      throw new ValidationException("spec.expiresAt", w.expiresAt() + " for " + w.name() + " is further than "
          + dev.warden.core.model.Durations.format(rules.maxLifetime()) + " away (workloads.maxLifetime); use "
          + latest.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " or earlier");
    }
  }

  @SuppressWarnings("unchecked")
  private ObjectStore<Named> store(Kind kind) {
    ObjectStore<? extends Named> s = switch (kind) {
      case TRUST_PROVIDER -> store.trustProviders();
      case WORKLOAD -> store.workloads();
      case RESOURCE -> store.resources();
      case ACCESS_POLICY -> store.policies();
    };
    return (ObjectStore<Named>) s;
  }

  private void auditChange(String type, Kind kind, String name, long version, JsonNode spec, String actor) {
    Map<String, String> details = new HashMap<>();
    details.put("kind", kind.wire());
    details.put("name", name);
    details.put("version", Long.toString(version));
    if (spec != null) {
      details.put("specSha256", HexFormat.of().formatHex(Hashes.sha256(spec.toString())));
    }
    audit.write(new AuditEvent(UUID.randomUUID().toString(), clock.instant(), type, "success", "", actor, null, null,
        details, null));
  }

  /** Audits an operator's revocation of one lease. */
  public void auditLeaseRevocation(dev.warden.core.lease.Lease l, String actor) {
    audit.write(new AuditEvent(UUID.randomUUID().toString(), clock.instant(), "lease.revoked", "success", "revoked",
        actor, l.workload(), l.resource(), Map.of("leaseId", l.id(), "fingerprint", l.fingerprint()), null));
  }

  /** Field-by-field difference of two specs, as {@code path: old -> new} lines. */
  static List<String> diff(String path, JsonNode a, JsonNode b) {
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
      return diff(path, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), b);
    }
    if (a == null ? b == null : a.equals(b)) {
      return out;
    }
    out.add(path + ": " + (a == null ? "(none)" : a.toString()) + " -> " + (b == null ? "(none)" : b.toString()));
    return out;
  }
}
