package dev.warden.core.inventory;

import static dev.warden.core.inventory.IndexFixtures.THRESHOLDS;
import static dev.warden.core.inventory.IndexFixtures.findings;
import static dev.warden.core.inventory.IndexFixtures.fp;
import static dev.warden.core.inventory.IndexFixtures.items;
import static dev.warden.core.inventory.IndexFixtures.secret;
import static dev.warden.core.inventory.IndexFixtures.workload;
import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.model.Sensitivity;
import dev.warden.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Applying audit events notes exactly what they touch, and judging it agrees with reading
 * everything again.
 */
class IndexCatchUpTest {
  static final String W0 = "spiffe://acme.test/ci/w0";
  static final String W1 = "spiffe://acme.test/ci/w1";

  MutableClock clock;
  FakeInventory fake;
  IndexCatchUp catchUp;
  IndexState state;

  @BeforeEach
  void load() {
    clock = IndexFixtures.clock();
    fake = IndexFixtures.estate(clock);
    catchUp = new IndexCatchUp(fake, fake, clock);
    state = IndexState.load(fake, fake, clock, THRESHOLDS);
  }

  /** Applies the events since the state's head; returns what they touched, not yet judged. */
  IndexCatchUp.Pending apply() {
    IndexCatchUp.Pending p = new IndexCatchUp.Pending();
    catchUp.apply(state, fake.changesAfter(state.head, 1_000), p);
    return p;
  }

  @Test
  void nothingNewTouchesNothing() {
    assertThat(apply().isEmpty()).isTrue();
  }

  @Test
  void issuanceTouchesItsWorkloadAndMovesTheHeadToTheLastEvent() {
    fake.issue(W1, "cache", Duration.ofMinutes(30), null);
    fake.issue(W1, "cache", Duration.ofMinutes(30), null);
    IndexCatchUp.Pending p = apply();
    assertThat(p.dirtyWorkloads).containsExactly(W1);
    assertThat(p.affected).isEmpty();
    assertThat(p.everyWorkload || p.global).isFalse();
    assertThat(state.head).isEqualTo(fake.auditHead());
    assertThat(state.issued.usage(W1))
        .singleElement()
        .satisfies(u -> assertThat(u.count()).isEqualTo(2));
  }

  @Test
  void aWorkloadChangeTouchesItAndTheImportedItemsOfOwnersWhoseStandingChanged() {
    // ghost@ owns KEY_2 and becomes a known owner; a@ still owns w0
    fake.workload(workload("ci/w2", "ghost@acme.test"));
    IndexCatchUp.Pending p = apply();
    assertThat(p.dirtyWorkloads).containsExactly("spiffe://acme.test/ci/w2");
    assertThat(p.affected).containsExactly(secret("KEY_2", null, null, null, null).id());
    assertThat(p.everyWorkload).isFalse();
    assertThat(state.knownOwners).contains("ghost@acme.test");
    assertThat(state.workloadCreated).containsKey("spiffe://acme.test/ci/w2");
  }

  @Test
  void aResourceOrPolicyChangeTouchesEveryWorkload() {
    fake.resource(IndexFixtures.resource("cache", Sensitivity.HIGH));
    assertThat(apply().everyWorkload).isTrue();
    fake.policy(IndexFixtures.allow("ci", "spiffe://acme.test/ci/*", "ledger"));
    assertThat(apply().everyWorkload).isTrue();
    assertThat(state.policies.get("ci").resources()).containsExactly("ledger");
  }

  @Test
  void anImportTouchesItsRowsAndTheItemsSharingTheirFingerprintsOldAndNew() {
    clock.advance(Duration.ofMinutes(1));
    // KEY_3 moves from fingerprint 2 to fingerprint 1, which KEY_1 and KEY_2 hold
    fake.importItems(secret("KEY_3", null, "prod", fp('1'), IndexFixtures.START));
    IndexCatchUp.Pending p = apply();
    assertThat(p.affected)
        .containsExactlyInAnyOrder(
            secret("KEY_1", null, null, null, null).id(),
            secret("KEY_2", null, null, null, null).id(),
            secret("KEY_3", null, null, null, null).id());
    assertThat(state.byFingerprint.ids(fp('2'))).isEmpty();
  }

  @Test
  void aForeignLeakTouchesTheItemsWithItsFingerprintAndTheGlobalUnit() {
    fake.leakForeign(fp('2'));
    IndexCatchUp.Pending p = apply();
    assertThat(p.affected).containsExactly(secret("KEY_3", null, null, null, null).id());
    assertThat(p.global).isTrue();
  }

  @Test
  void aDepartureTouchesTheOwnersItemsAndEveryWorkload() {
    clock.advance(Duration.ofMinutes(1));
    fake.depart("b@acme.test");
    IndexCatchUp.Pending p = apply();
    assertThat(p.affected).contains(secret("KEY_4", null, null, null, null).id());
    assertThat(p.everyWorkload && p.global).isTrue();
  }

  @Test
  void anAdminTokenChangeReadsTheTokensAgainForTheGlobalUnit() {
    fake.adminToken(IndexFixtures.adminToken("t1", clock.instant()));
    IndexCatchUp.Pending p = apply();
    assertThat(p.global).isTrue();
    assertThat(state.adminTokens)
        .extracting(dev.warden.core.admin.AdminToken::id)
        .containsExactly("t1");
  }

  @Test
  void aConfigEventOfAKindTheInventoryDoesNotHoldIsIgnored() {
    fake.event("config.updated", null, null, null, Map.of("kind", "Gadget", "name", "x"), null);
    assertThat(apply().isEmpty()).isTrue();
    assertThat(state.head).isEqualTo(fake.auditHead());
  }

  @Test
  void anImportIsReReadFromItsStampOrAnHourBeforeAnOlderEvent() {
    Instant at = Instant.parse("2027-03-01T10:00:00Z");
    assertThat(IndexCatchUp.since(change(Map.of("changedAt", "2027-03-01T09:59:59.5Z"), at)))
        .isEqualTo(Instant.parse("2027-03-01T09:59:59.5Z"));
    assertThat(IndexCatchUp.since(change(Map.of(), at))).isEqualTo(at.minus(Duration.ofHours(1)));
    assertThat(IndexCatchUp.since(change(Map.of("changedAt", "yesterday"), at)))
        .isEqualTo(at.minus(Duration.ofHours(1)));
  }

  static InventoryStore.Change change(Map<String, String> details, Instant at) {
    return new InventoryStore.Change(
        1,
        "inventory.imported",
        at,
        null,
        null,
        null,
        new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(details).toString(),
        null,
        null,
        null);
  }

  static final String[] OWNERS = {"a@acme.test", "b@acme.test", "ghost@acme.test", null};
  static final String[] FPS = {fp('1'), fp('2'), fp('3'), null};

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {20261206L, 7L, 424242L, 99L})
  void afterEveryKindOfChangeTheCaughtUpStateEqualsAFreshLoadAndARecompute(long seed) {
    Random r = new Random(seed);
    List<String> log = new ArrayList<>();
    List<String> leases = new ArrayList<>();
    for (int step = 0; step < 60; step++) {
      clock.advance(Duration.ofSeconds(1));
      String w = "spiffe://acme.test/ci/w" + r.nextInt(3);
      String did =
          switch (r.nextInt(10)) {
            case 0, 1 -> {
              String name = "KEY_" + r.nextInt(8);
              fake.importItems(
                  secret(
                      name,
                      OWNERS[r.nextInt(4)],
                      r.nextBoolean() ? "prod" : "dev",
                      FPS[r.nextInt(4)],
                      IndexFixtures.START.minus(Duration.ofDays(r.nextBoolean() ? 400 : 1))));
              yield "import " + name;
            }
            case 2 -> {
              String owner = OWNERS[r.nextInt(3)];
              fake.workload(workload(w.substring("spiffe://acme.test/".length()), owner));
              yield "workload " + w + " " + owner;
            }
            case 3 -> {
              String owner = OWNERS[r.nextInt(3)];
              fake.depart(owner);
              yield "depart " + owner;
            }
            case 4 -> {
              String f = FPS[r.nextInt(3)];
              fake.leakForeign(f);
              yield "leak " + f.charAt(0);
            }
            case 5 -> {
              if (leases.isEmpty()) {
                yield "nothing to revoke";
              }
              String id = leases.remove(r.nextInt(leases.size()));
              boolean leaked = r.nextBoolean();
              fake.revoke(id, leaked);
              yield "revoke " + id + (leaked ? " leaked" : "");
            }
            case 6 -> {
              fake.policy(
                  IndexFixtures.allow(
                      "ci", "spiffe://acme.test/ci/*", r.nextBoolean() ? "ledger" : "cache"));
              yield "policy";
            }
            case 7 -> {
              fake.adminToken(IndexFixtures.adminToken("t" + step, clock.instant()));
              yield "admin token";
            }
            case 8 -> {
              fake.deleteWorkload(w);
              yield "delete " + w;
            }
            default -> {
              leases.add(
                  fake.issue(
                      w,
                      r.nextBoolean() ? "ledger" : "cache",
                      Duration.ofMinutes(10 + r.nextInt(120)),
                      r.nextBoolean() ? "10.9.0." + r.nextInt(4) : "192.0.2.1"));
              yield "issue to " + w;
            }
          };
      log.add(step + ": " + did);
      // catch up in batches of whatever arrived, as the index does, sometimes several steps at once
      if (r.nextInt(3) > 0) {
        IndexCatchUp.Pending p = apply();
        catchUp.judge(state, p);
        IndexState fresh = IndexState.load(fake, fake, clock, THRESHOLDS);
        String steps = String.join("\n", log);
        assertThat(findings(state))
            .as("findings after\n%s", steps)
            .containsExactlyElementsOf(findings(fresh));
        assertThat(items(state))
            .as("items after\n%s", steps)
            .containsExactlyElementsOf(items(fresh));
        assertThat(findings(fresh))
            .as("a load judges what a recompute judges, after\n%s", steps)
            .containsExactlyElementsOf(Posture.evaluate(fake.facts(), THRESHOLDS));
      }
    }
  }
}
