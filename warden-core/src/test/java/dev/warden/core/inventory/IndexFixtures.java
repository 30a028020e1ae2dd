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
import dev.warden.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Objects and comparisons shared by the posture index's unit tests. */
final class IndexFixtures {
  static final Instant START = Instant.parse("2027-03-01T12:00:00Z");
  static final PostureThresholds THRESHOLDS =
      PostureThresholds.DEFAULTS.withWorkstationCidrs(List.of("10.9.0.0/16"));
  static final Inventory.Filter ALL = new Inventory.Filter(null, null, null, null, null);

  private IndexFixtures() {}

  static MutableClock clock() {
    return MutableClock.startingAt(START);
  }

  static String fp(char c) {
    return String.valueOf(c).repeat(64);
  }

  static Workload workload(String path, String owner) {
    return new Workload(
        SpiffeId.parse("spiffe://acme.test/" + path),
        Set.of(Selector.parse("k8s:sa=" + path.replace('/', '-'))),
        owner,
        "team-a",
        "prod",
        WorkloadState.ACTIVE,
        null,
        null);
  }

  static Resource resource(String name, Sensitivity s) {
    return new Resource(name, "https://" + name + ".acme.test", "http", s, null);
  }

  static AccessPolicy allow(String policy, String pattern, String... resources) {
    return new AccessPolicy(
        policy,
        null,
        new WorkloadMatcher(List.of(pattern), null),
        List.of(resources),
        Effect.ALLOW,
        null,
        null,
        null,
        null);
  }

  static ImportedNhi secret(
      String name, String owner, String env, String fingerprint, Instant created) {
    return new ImportedNhi(
        "csv:keys",
        "api-key",
        name,
        owner,
        null,
        env,
        null,
        fingerprint,
        created,
        null,
        null,
        null,
        Map.of());
  }

  static AdminToken adminToken(String id, Instant created) {
    return new AdminToken(id, "ci-bot", new byte[32], Set.of("read"), created, null, null, "admin");
  }

  /** A small estate with a finding of most rules. */
  static FakeInventory estate(MutableClock clock) {
    FakeInventory f = new FakeInventory(clock);
    f.resource(resource("ledger", Sensitivity.CRITICAL))
        .resource(resource("cache", Sensitivity.LOW))
        .policy(allow("ci", "spiffe://acme.test/ci/*", "ledger", "cache"))
        .workload(workload("ci/w0", "a@acme.test"))
        .workload(workload("ci/w1", "b@acme.test"))
        .importItems(
            secret("KEY_1", "a@acme.test", "prod", fp('1'), START.minus(Duration.ofDays(400))),
            secret("KEY_2", "ghost@acme.test", "dev", fp('1'), START.minus(Duration.ofDays(1))),
            secret("KEY_3", null, "prod", fp('2'), START.minus(Duration.ofDays(10))),
            secret("KEY_4", "b@acme.test", null, null, START.minus(Duration.ofDays(200))));
    f.issue("spiffe://acme.test/ci/w0", "ledger", Duration.ofHours(1), "10.9.1.1");
    f.leakForeign(fp('9'));
    return f;
  }

  static List<Finding> findings(IndexState s) {
    return IndexQueries.findings(s, null, null, 0, Integer.MAX_VALUE).findings();
  }

  static List<InventoryItem> items(IndexState s) {
    return IndexQueries.items(s, ALL, null, Integer.MAX_VALUE).items();
  }
}
