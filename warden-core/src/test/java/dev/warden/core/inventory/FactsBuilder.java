package dev.warden.core.inventory;

import dev.warden.core.admin.AdminToken;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Effect;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Selector;
import dev.warden.core.model.Sensitivity;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadMatcher;
import dev.warden.core.model.WorkloadState;
import dev.warden.testkit.FixedClock;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Inventory facts for tests, at a fixed clock's time. */
final class FactsBuilder {
  static final Clock CLOCK = FixedClock.at(Instant.parse("2027-03-01T12:00:00Z"));
  static final Instant NOW = CLOCK.instant();
  static final String FP = "cd".repeat(32);

  final List<Workload> workloads = new ArrayList<>();
  final Map<String, Instant> created = new HashMap<>();
  final List<Resource> resources = new ArrayList<>();
  final List<AccessPolicy> policies = new ArrayList<>();
  final List<AdminToken> adminTokens = new ArrayList<>();
  final List<ImportedNhi> imported = new ArrayList<>();
  final List<LeaseSummary> leases = new ArrayList<>();
  final List<Usage> usage = new ArrayList<>();
  final List<LeakRecord> leaks = new ArrayList<>();
  final Map<String, Instant> departed = new HashMap<>();

  static Instant daysAgo(int d) {
    return NOW.minusSeconds(86_400L * d);
  }

  FactsBuilder workload(
      String path,
      String owner,
      String env,
      WorkloadState state,
      Instant expires,
      Instant createdAt) {
    String id = "spiffe://acme.test/" + path;
    workloads.add(
        new Workload(
            SpiffeId.parse(id),
            Set.of(Selector.parse("k8s:sa=" + path.replace('/', '-'))),
            owner,
            "team-a",
            env,
            state,
            expires,
            null));
    created.put(id, createdAt);
    return this;
  }

  FactsBuilder workload(String path) {
    return workload(
        path,
        "alice@acme.test",
        "prod",
        WorkloadState.ACTIVE,
        NOW.plusSeconds(86_400L * 365),
        daysAgo(200));
  }

  FactsBuilder resource(String name, Sensitivity s) {
    resources.add(new Resource(name, "https://" + name + ".acme.test", "http", s, null));
    return this;
  }

  FactsBuilder allow(String policy, String path, String... resourceNames) {
    policies.add(
        new AccessPolicy(
            policy,
            null,
            new WorkloadMatcher(List.of("spiffe://acme.test/" + path), null),
            List.of(resourceNames),
            Effect.ALLOW,
            null,
            null,
            null,
            null));
    return this;
  }

  FactsBuilder deny(String policy, String path, String... resourceNames) {
    policies.add(
        new AccessPolicy(
            policy,
            null,
            new WorkloadMatcher(List.of("spiffe://acme.test/" + path), null),
            List.of(resourceNames),
            Effect.DENY,
            null,
            null,
            null,
            null));
    return this;
  }

  FactsBuilder used(String path, String resource, Instant last, String... addresses) {
    usage.add(new Usage("spiffe://acme.test/" + path, resource, 1, last, Set.of(addresses)));
    return this;
  }

  FactsBuilder imported(ImportedNhi n) {
    imported.add(n);
    return this;
  }

  static ImportedNhi staticSecret(
      String name,
      String owner,
      String env,
      String fp,
      Instant createdAt,
      Instant expires,
      Instant rotated) {
    return new ImportedNhi(
        "csv", "static", name, owner, null, env, null, fp, createdAt, expires, rotated, null,
        Map.of());
  }

  InventoryFacts build() {
    return new InventoryFacts(
        NOW,
        workloads,
        created,
        resources,
        policies,
        adminTokens,
        imported,
        leases,
        usage,
        leaks,
        departed);
  }

  List<Finding> findings(PostureThresholds t) {
    return Posture.evaluate(build(), t);
  }

  List<Finding> findings() {
    return findings(PostureThresholds.DEFAULTS);
  }

  static List<Finding> rule(List<Finding> all, String ruleId) {
    return all.stream().filter(f -> f.ruleId().equals(ruleId)).toList();
  }
}
