package dev.warden.store;

import static dev.warden.store.AuditFixtures.issued;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.ImportedNhi;
import dev.warden.core.inventory.InventoryStore;
import dev.warden.core.inventory.LeakRecord;
import dev.warden.core.inventory.LeaseSummary;
import dev.warden.core.inventory.Usage;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The contract of {@link InventoryStore}, on H2 and PostgreSQL. */
abstract class InventoryStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456789Z");
  private static final String FP = "ab".repeat(32);

  InventoryStore inventory() {
    return jdbcStore().inventory();
  }

  private ImportedNhi item(String source, String name, String owner) {
    return new ImportedNhi(
        source,
        "env-var",
        name,
        owner,
        "team-a",
        "prod",
        ".env",
        FP,
        T0,
        null,
        null,
        null,
        Map.of("line", "3"));
  }

  @Test
  void upsertCreatesThenReportsUnchangedThenUpdatedAndReadsEveryFieldBack() {
    String source = unique("src");
    ImportedNhi a = item(source, "API_KEY", "alice@acme.test");

    assertThat(inventory().upsert(List.of(a), T0))
        .extracting(InventoryStore.Upserted::action)
        .containsExactly("created");
    assertThat(inventory().upsert(List.of(a), T0))
        .extracting(InventoryStore.Upserted::action)
        .containsExactly("unchanged");
    assertThat(inventory().upsert(List.of(a.withOwner("bob@acme.test")), T0))
        .extracting(InventoryStore.Upserted::action)
        .containsExactly("updated");

    ImportedNhi stored =
        inventory().listImported().stream()
            .filter(n -> n.id().equals(a.id()))
            .findFirst()
            .orElseThrow();
    assertThat(stored.owner()).isEqualTo("bob@acme.test");
    assertThat(stored.createdAt()).isEqualTo(Instant.parse("2030-05-06T07:08:09.123456Z"));
    assertThat(stored.fingerprint()).isEqualTo(FP);
    assertThat(stored.attributes()).containsEntry("line", "3");
  }

  @Test
  void upsertIsAllOrNothing() {
    String source = unique("src");
    ImportedNhi ok = item(source, "A", "o");
    // the second item fails while binding, after the first was inserted in the same transaction
    ImportedNhi bad =
        new ImportedNhi(
            source,
            "env-var",
            "B",
            "o",
            null,
            null,
            null,
            null,
            Instant.MAX,
            null,
            null,
            null,
            Map.of());
    assertThatThrownBy(() -> inventory().upsert(List.of(ok, bad), T0))
        .isInstanceOf(RuntimeException.class);
    assertThat(inventory().listImported()).noneMatch(n -> n.source().equals(source));
  }

  @Test
  void itemsAreMergedBySourceKindAndName() {
    String source = unique("src");
    inventory().upsert(List.of(item(source, "A", "o1")), T0);
    inventory().upsert(List.of(item(source, "A", "o2"), item(source + "-other", "A", "o3")), T0);

    assertThat(inventory().listImported().stream().filter(n -> n.source().startsWith(source)))
        .extracting(ImportedNhi::owner)
        .containsExactlyInAnyOrder("o2", "o3");
  }

  @Test
  void fingerprintMustBeHexNeverAValue() {
    assertThatThrownBy(
            () ->
                new ImportedNhi(
                    "s", "env-var", "N", null, null, null, null, "hunter2", null, null, null, null,
                    Map.of()))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void reassignOwnerChangesOnlyThatOwner() {
    String source = unique("src");
    String from = unique("leaver") + "@acme.test";
    inventory().upsert(List.of(item(source, "A", from), item(source, "B", "stays@acme.test")), T0);

    assertThat(inventory().reassignOwner(from, "new@acme.test", Instant.now())).isEqualTo(1);
    assertThat(inventory().listImported().stream().filter(n -> n.source().equals(source)))
        .extracting(ImportedNhi::owner)
        .containsExactlyInAnyOrder("new@acme.test", "stays@acme.test");
  }

  @Test
  void markDepartedKeepsTheFirstTime() {
    String owner = unique("leaver");
    inventory().markDeparted(owner, T0, "suspended");
    inventory().markDeparted(owner, T0.plusSeconds(60), "reassigned");

    assertThat(inventory().departedOwners())
        .containsEntry(owner, Instant.parse("2030-05-06T07:08:09.123456Z"));
  }

  @Test
  void leaseSummariesGroupByWorkloadAndResource() {
    String w = "spiffe://example.org/" + unique("w");
    Instant t = Instant.parse("2030-05-06T07:00:00Z");
    append(
        new Lease(
            unique("jti"),
            dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
            w,
            "db",
            t,
            t.plusSeconds(300),
            null,
            null,
            FP));
    append(
        new Lease(
            unique("jti"),
            dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
            w,
            "db",
            t.plusSeconds(10),
            t.plusSeconds(70),
            null,
            null,
            FP));
    append(
        new Lease(
            unique("jti"),
            dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
            w,
            "api",
            t,
            t.plusSeconds(60),
            null,
            null,
            FP));

    List<LeaseSummary> s =
        inventory().leaseSummaries(t.plusSeconds(100)).stream()
            .filter(x -> w.equals(x.workload()))
            .toList();
    assertThat(s)
        .containsExactly(
            new LeaseSummary(w, "api", 1, 0, t, t, Duration.ofSeconds(60), t.plusSeconds(60)),
            new LeaseSummary(
                w, "db", 2, 1, t, t.plusSeconds(10), Duration.ofSeconds(300), t.plusSeconds(300)));
  }

  @Test
  void leaseLifetimesAreNewestFirstAndBounded() {
    String w = "spiffe://example.org/" + unique("w");
    Instant t = Instant.parse("2031-01-01T00:00:00Z");
    append(
        new Lease(
            unique("jti"),
            dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
            w,
            "db",
            t,
            t.plusSeconds(60),
            null,
            null,
            FP));
    append(
        new Lease(
            unique("jti"),
            dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
            w,
            "db",
            t.plusSeconds(1),
            t.plusSeconds(301),
            null,
            null,
            FP));
    append(
        new Lease(
            unique("jti"),
            dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
            w,
            "db",
            t.minusSeconds(10),
            t.plusSeconds(600),
            null,
            null,
            FP));

    assertThat(inventory().leaseLifetimes(t, 10))
        .containsExactly(Duration.ofSeconds(300), Duration.ofSeconds(60));
    assertThat(inventory().leaseLifetimes(t, 1)).containsExactly(Duration.ofSeconds(300));
  }

  @Test
  void usageGroupsIssuanceEventsWithTheirSourceAddresses() {
    String w = "spiffe://example.org/" + unique("w");
    Instant t = Instant.parse("2030-06-01T00:00:00Z");
    store()
        .audit()
        .append(
            List.of(
                tokenIssued(t, w, "db", "10.0.0.1"),
                tokenIssued(t.plusSeconds(5), w, "db", "10.0.0.2"),
                tokenIssued(t.plusSeconds(9), w, "db", "10.0.0.1"),
                tokenIssued(t.minusSeconds(3600), w, "old", "10.9.9.9")));

    List<Usage> u =
        inventory().usage(t.minusSeconds(60)).stream().filter(x -> w.equals(x.workload())).toList();
    assertThat(u)
        .containsExactly(new Usage(w, "db", 3, t.plusSeconds(9), Set.of("10.0.0.1", "10.0.0.2")));
  }

  @Test
  void leaksComeFromLeakedRevocationEventsOncePerLease() {
    String lease = unique("jti");
    String w = "spiffe://example.org/" + unique("w");
    Instant t = Instant.parse("2030-06-02T00:00:00Z");
    AuditEvent first =
        new AuditEvent(
            UUID.randomUUID().toString(),
            t,
            "lease.revoked",
            "success",
            "leaked",
            "admin:x",
            w,
            "db",
            Map.of(
                "leaseId",
                lease,
                "fingerprint",
                FP,
                "source",
                "git@github.com:acme/app.git",
                "path",
                ".env"),
            null);
    AuditEvent again =
        new AuditEvent(
            UUID.randomUUID().toString(),
            t.plusSeconds(60),
            "lease.revoked",
            "success",
            "leaked",
            "admin:x",
            w,
            "db",
            Map.of("leaseId", lease, "fingerprint", FP),
            null);
    AuditEvent manual =
        new AuditEvent(
            UUID.randomUUID().toString(),
            t,
            "lease.revoked",
            "success",
            "revoked",
            "admin:x",
            w,
            "db",
            Map.of("leaseId", unique("jti"), "fingerprint", FP),
            null);
    store().audit().append(List.of(first, again, manual));

    List<LeakRecord> leaks =
        inventory().leaks().stream().filter(l -> w.equals(l.workload())).toList();
    assertThat(leaks)
        .containsExactly(
            new LeakRecord(lease, w, "db", FP, t, "git@github.com:acme/app.git", ".env"));
  }

  @Test
  void firstWrittenIsTheTimeOfTheFirstRevision() {
    String id = "spiffe://example.org/" + unique("w");
    Workload w =
        new Workload(
            SpiffeId.parse(id),
            Set.of(Selector.parse("k8s:ns=a")),
            "o",
            null,
            null,
            null,
            null,
            null);
    Instant first = clock.instant();
    store().workloads().put(w, 0, "test");
    clock.advance(Duration.ofMinutes(5));
    store().workloads().put(w.withState(dev.warden.core.model.WorkloadState.SUSPENDED), -1, "test");

    assertThat(inventory().firstWritten("Workload"))
        .containsEntry(id, first.truncatedTo(ChronoUnit.MICROS));
  }

  @Test
  void importedSinceReturnsExactlyWhatAnImportOrAReassignmentStampedAtOrAfterATime() {
    String source = unique("src");
    String owner = unique("o") + "@acme.test";
    Instant t1 = Instant.parse("2032-01-01T00:00:00Z");
    Instant t2 = t1.plusSeconds(60);
    inventory().upsert(List.of(item(source, "OLD", owner)), t1);
    inventory().upsert(List.of(item(source, "NEW", "other@acme.test")), t2);

    assertThat(inventory().importedSince(t2).stream().filter(n -> n.source().equals(source)))
        .extracting(ImportedNhi::name)
        .containsExactly("NEW");
    Instant t3 = t2.plusSeconds(60);
    inventory().reassignOwner(owner, "heir@acme.test", t3);
    assertThat(inventory().importedSince(t3).stream().filter(n -> n.source().equals(source)))
        .extracting(ImportedNhi::name, ImportedNhi::owner)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("OLD", "heir@acme.test"));
  }

  @Test
  void changesAfterFollowsTheAuditLogInOrderWithEachIssuancesLease() {
    long head = inventory().auditHead();
    String w = "spiffe://example.org/" + unique("w");
    Instant t = Instant.parse("2030-07-01T00:00:00Z");
    Lease l =
        new Lease(
            unique("jti"),
            dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
            w,
            "db",
            t,
            t.plusSeconds(300),
            null,
            null,
            FP);
    append(l);
    store().audit().append(List.of(tokenIssued(t.plusSeconds(1), w, "api", "10.0.0.7")));

    List<InventoryStore.Change> changes = inventory().changesAfter(head, 10);
    assertThat(changes).hasSize(2);
    assertThat(changes.get(0).seq()).isLessThan(changes.get(1).seq());
    assertThat(inventory().auditHead()).isEqualTo(changes.get(1).seq());
    InventoryStore.Change first = changes.get(0);
    assertThat(first.type()).isEqualTo("token.issued");
    assertThat(first.workload()).isEqualTo(w);
    assertThat(first.leaseId()).isEqualTo(l.id());
    assertThat(first.leaseIssued()).isEqualTo(t);
    assertThat(first.leaseExpires()).isEqualTo(t.plusSeconds(300));
    assertThat(changes.get(1).leaseId()).isNull();
    assertThat(changes.get(1).details()).containsEntry("sourceAddress", "10.0.0.7");
    assertThat(inventory().changesAfter(head, 1)).hasSize(1);
    assertThat(inventory().changesAfter(changes.get(1).seq(), 10)).isEmpty();
  }

  @Test
  void changesAfterReadsPastAGapAsAnOpenRangeWould() {
    long head = inventory().auditHead();
    Instant t = Instant.parse("2030-07-01T00:00:00Z");
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      events.add(tokenIssued(t.plusSeconds(i), "spiffe://example.org/gap", "api", "10.0.0." + i));
    }
    store().audit().append(events);
    // a removed stretch (tampering, or a restore that lost it) longer than one batch
    database()
        .execute(
            "DELETE FROM audit_events WHERE seq > " + (head + 2) + " AND seq <= " + (head + 9));

    assertThat(inventory().changesAfter(head, 3))
        .extracting(InventoryStore.Change::seq)
        .containsExactly(head + 1, head + 2, head + 10);
    assertThat(inventory().changesAfter(head + 2, 2))
        .extracting(InventoryStore.Change::seq)
        .containsExactly(head + 10, head + 11);
    assertThat(inventory().changesAfter(head, 100))
        .extracting(InventoryStore.Change::seq)
        .containsExactly(head + 1, head + 2, head + 10, head + 11, head + 12);
    assertThat(inventory().changesAfter(head + 12, 100)).isEmpty();
    assertThat(inventory().changesAfter(head, 0)).isEmpty();
  }

  @Test
  void baselineMatchesTheAuditHeadItWasReadAt() {
    String w = "spiffe://example.org/" + unique("w");
    Instant t = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    append(
        new Lease(
            unique("jti"),
            dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
            w,
            "db",
            t,
            t.plusSeconds(600),
            null,
            null,
            FP));
    String source = unique("src");
    inventory().upsert(List.of(item(source, "BASE", "o")), t);

    InventoryStore.Baseline b = inventory().baseline(t.plusSeconds(1), t.minusSeconds(60), false);
    assertThat(b.head()).isEqualTo(inventory().auditHead());
    assertThat(b.imported()).anyMatch(n -> n.source().equals(source));
    assertThat(b.leases()).anyMatch(x -> w.equals(x.workload()) && x.active() == 1);
    assertThat(b.live()).anyMatch(x -> w.equals(x.workload()));
    assertThat(b.usage())
        .filteredOn(u -> w.equals(u.workload()))
        .singleElement()
        .satisfies(u -> assertThat(u.count()).isEqualTo(1));
  }

  @Test
  void aNoticeIsClaimedOnceWhoeverAsks() {
    String item = unique("imp");
    assertThat(inventory().claimNotice("leak.reported", item, T0)).isTrue();
    assertThat(inventory().claimNotice("leak.reported", item, T0.plusSeconds(1))).isFalse();
    assertThat(inventory().claimNotice("reuse.shared-fingerprint", item, T0)).isTrue();
  }

  @Test
  void grantUsesGroupAWorkloadsOrAResourcesGrantsByKindWithinTheWindow() {
    String w = "spiffe://example.org/" + unique("w") + "/" + "x".repeat(300);
    String other = "spiffe://example.org/" + unique("other");
    String db = unique("ledger-db");
    String vault = unique("vault");
    Instant t = Instant.parse("2032-03-01T00:00:00Z");
    Lease old =
        new Lease(
            unique("jti"),
            CredentialKind.ACCESS_TOKEN,
            w,
            db,
            t.minus(Duration.ofDays(31)),
            t.minus(Duration.ofDays(31)).plusSeconds(60),
            null,
            null,
            FP);
    Lease a1 =
        new Lease(
            unique("jti"),
            CredentialKind.ACCESS_TOKEN,
            w,
            db,
            t,
            t.plusSeconds(60),
            null,
            null,
            FP);
    Lease a2 =
        new Lease(
            unique("jti"),
            CredentialKind.ACCESS_TOKEN,
            w,
            db,
            t.plusSeconds(5),
            t.plusSeconds(65),
            null,
            null,
            FP);
    Lease u =
        new Lease(
            unique("jti"),
            CredentialKind.DATABASE_USER,
            w,
            db,
            t.plusSeconds(6),
            t.plusSeconds(600),
            null,
            null,
            FP);
    Lease s =
        new Lease(
            unique("jti"),
            CredentialKind.BROKERED_SECRET,
            w,
            vault,
            t.plusSeconds(7),
            t.plusSeconds(60),
            null,
            null,
            FP);
    Lease o =
        new Lease(
            unique("jti"),
            CredentialKind.ACCESS_TOKEN,
            other,
            db,
            t.plusSeconds(8),
            t.plusSeconds(60),
            null,
            null,
            FP);
    append(old);
    // a database user's lease is recorded as an intent before its issuance event
    assertThat(store().targetLeases().recordIntent(u, "{}", 10, t)).isTrue();
    store()
        .audit()
        .append(
            List.of(
                issued(t, a1),
                issued(t.plusSeconds(5), a2),
                issued(t.plusSeconds(6), u),
                issued(t.plusSeconds(7), s),
                issued(t.plusSeconds(8), o),
                new AuditEvent(
                    UUID.randomUUID().toString(),
                    t.plusSeconds(9),
                    "token.denied",
                    "deny",
                    "no_matching_policy",
                    w,
                    w,
                    db,
                    Map.of(),
                    null)));
    Instant since = t.minus(Duration.ofDays(30));

    assertThat(inventory().grantUses(w, null, since))
        .containsExactly(
            new InventoryStore.GrantUse(w, db, "access_token", 2, t.plusSeconds(5)),
            new InventoryStore.GrantUse(w, db, "database_user", 1, t.plusSeconds(6)),
            new InventoryStore.GrantUse(w, vault, "brokered_secret", 1, t.plusSeconds(7)));
    assertThat(inventory().grantUses(null, db, since))
        .containsExactly(
            new InventoryStore.GrantUse(other, db, "access_token", 1, t.plusSeconds(8)),
            new InventoryStore.GrantUse(w, db, "access_token", 2, t.plusSeconds(5)),
            new InventoryStore.GrantUse(w, db, "database_user", 1, t.plusSeconds(6)));
    assertThat(inventory().grantUses(other, vault, since)).isEmpty();
    assertThat(inventory().grantUses(w, db, t.minus(Duration.ofDays(40))))
        .extracting(InventoryStore.GrantUse::count)
        .containsExactly(3L, 1L);
    assertThat(inventory().grantUses(w, null, t.plus(Duration.ofDays(1)))).isEmpty();
    assertThatThrownBy(() -> inventory().grantUses(null, null, since))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private void append(Lease l) {
    store().audit().append(List.of(issued(l.issuedAt(), l)));
  }

  private static AuditEvent tokenIssued(Instant t, String w, String r, String addr) {
    return new AuditEvent(
        UUID.randomUUID().toString(),
        t,
        "token.issued",
        "allow",
        "allowed",
        w,
        w,
        r,
        Map.of("sourceAddress", addr),
        null);
  }
}
