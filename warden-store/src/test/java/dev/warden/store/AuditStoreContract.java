package dev.warden.store;

import static dev.warden.store.AuditFixtures.decision;
import static dev.warden.store.AuditFixtures.issued;
import static dev.warden.store.AuditFixtures.lease;
import static dev.warden.store.AuditFixtures.verifyWholeChain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.audit.AuditChain;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditQuery;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditStore;
import dev.warden.core.error.StoreException;
import dev.warden.core.model.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** The contract of {@link AuditStore}: one hash chain, atomic batches, queries newest first. */
abstract class AuditStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  AuditStore audit() {
    return store().audit();
  }

  @Test
  void appendAssignsConsecutiveSeqsAndLinksEachRecordToThePrevious() {
    String w = "spiffe://example.org/" + unique("w");
    List<AuditRecord> first = audit().append(List.of(decision(T0, w, "db", "allow")));
    List<AuditRecord> second =
        audit().append(List.of(decision(T0, w, "db", "deny"), decision(T0, w, "db", "allow")));

    AuditRecord a = first.getFirst();
    assertThat(second).extracting(AuditRecord::seq).containsExactly(a.seq() + 1, a.seq() + 2);
    assertThat(second.get(0).prevHash()).isEqualTo(a.hash());
    assertThat(second.get(1).prevHash()).isEqualTo(second.get(0).hash());
    assertThat(AuditChain.verifies(a.hash(), second.get(0))).isTrue();
    verifyWholeChain(audit());
  }

  @Test
  void headIsTheLastAppendedRecord() {
    String w = "spiffe://example.org/" + unique("w");
    List<AuditRecord> appended =
        audit().append(List.of(decision(T0, w, "db", "allow"), decision(T0, w, "db", "deny")));

    dev.warden.core.audit.ChainHead head = audit().head();

    assertThat(head.seq()).isEqualTo(appended.getLast().seq());
    assertThat(head.hash()).isEqualTo(appended.getLast().hash());
  }

  @Test
  void appendedRecordsReadBackFieldForFieldAndReHashIdentically() {
    String w = "spiffe://example.org/" + unique("w");
    // nanoseconds in every time: the chain hashes event time in µs and lease times in ms, the
    // store keeps µs; the record read back must equal what append returned and still verify
    Instant nanos = Instant.parse("2030-05-06T07:08:09.123456789Z");
    Lease lease = lease(unique("jti"), w, nanos, nanos.plusSeconds(300), "ab".repeat(32));
    AuditEvent withLease = issued(nanos, lease);
    AuditEvent plain =
        new AuditEvent(
            UUID.randomUUID().toString(),
            nanos.plusNanos(999),
            "admin.change",
            "failure",
            null,
            null,
            null,
            null,
            Map.of("näme", "välue ✓", "empty", "", "quote\"", "line\nbreak"),
            null);

    List<AuditRecord> appended = audit().append(List.of(withLease, plain));
    List<AuditRecord> read = audit().readChain(appended.getFirst().seq(), 2);

    assertThat(read).hasSize(2);
    for (int i = 0; i < 2; i++) {
      AuditRecord a = appended.get(i);
      AuditRecord r = read.get(i);
      assertThat(r.seq()).isEqualTo(a.seq());
      assertThat(r.event()).isEqualTo(a.event());
      assertThat(r.prevHash()).isEqualTo(a.prevHash());
      assertThat(r.hash()).isEqualTo(a.hash());
      assertThat(AuditChain.link(r.prevHash(), r.seq(), r.event()))
          .as("re-hash of record %d", r.seq())
          .isEqualTo(r.hash());
    }
    assertThat(read.get(0).event().time()).isEqualTo(Instant.parse("2030-05-06T07:08:09.123456Z"));
    assertThat(read.get(0).event().lease())
        .isEqualTo(
            new Lease(
                lease.id(),
                dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
                w,
                "ledger-db",
                Instant.parse("2030-05-06T07:08:09.123456Z"),
                Instant.parse("2030-05-06T07:13:09.123456Z"),
                null,
                null,
                "ab".repeat(32)));
    assertThat(read.get(0).event().details()).isEqualTo(withLease.details());
    assertThat(read.get(1).event().reason()).isEmpty();
    assertThat(read.get(1).event().actor()).isEqualTo("system");
    assertThat(read.get(1).event().workload()).isNull();
    assertThat(read.get(1).event().details()).isEqualTo(plain.details());
    // the hash of the event as given equals the hash of the event as stored
    assertThat(AuditChain.link(appended.get(0).prevHash(), appended.get(0).seq(), withLease))
        .isEqualTo(appended.get(0).hash());
  }

  @Test
  void chainStaysOneLineAcrossBatchesOfEverySize() {
    String w = "spiffe://example.org/" + unique("w");
    long before = verifyWholeChain(audit());
    int total = 0;
    for (int size : new int[] {1, 7, 50, 1, 500}) {
      List<AuditEvent> batch = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        batch.add(decision(T0.plusMillis(i), w, "db", i % 2 == 0 ? "allow" : "deny"));
      }
      audit().append(batch);
      total += size;
    }

    assertThat(verifyWholeChain(audit())).isEqualTo(before + total);
  }

  @Test
  void appendsFromTwoNodesAtOnceKeepOneChain() throws InterruptedException {
    long before = verifyWholeChain(audit());
    try (JdbcStore otherNode = openAnother()) {
      List<Callable<Integer>> writers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        AuditStore target = t % 2 == 0 ? audit() : otherNode.audit();
        String w = "spiffe://example.org/" + unique("node");
        writers.add(
            () -> {
              int n = 0;
              for (int b = 0; b < 15; b++) {
                List<AuditEvent> batch = new ArrayList<>();
                for (int i = 0; i <= b % 5 * 5; i++) {
                  batch.add(decision(T0, w, "db", "allow"));
                }
                List<AuditRecord> written = target.append(batch);
                assertThat(written).hasSize(batch.size());
                n += batch.size();
              }
              return n;
            });
      }

      List<Race.Outcome<Integer>> outcomes = Race.run(writers);

      assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
      int written = outcomes.stream().mapToInt(Race.Outcome::result).sum();
      assertThat(verifyWholeChain(audit())).isEqualTo(before + written);
      assertThat(verifyWholeChain(otherNode.audit())).isEqualTo(before + written);
    }
  }

  @Test
  void aNodeWhoseLastHeadAnotherNodeMovedChainsOntoTheNewHead() {
    // each node remembers the head it left and first tries to move it from there: that must miss,
    // and fall back to the locked head, whenever the other node appended in between
    long before = verifyWholeChain(audit());
    String w = "spiffe://example.org/" + unique("w");
    try (JdbcStore otherNode = openAnother()) {
      AuditRecord last = null;
      for (int i = 0; i < 6; i++) {
        // A, B, B, A, A, B ... : both the path from a remembered head and the fallback run
        AuditStore node = (i % 4 == 0 || i % 4 == 3) ? audit() : otherNode.audit();
        List<AuditRecord> written =
            node.append(List.of(decision(T0, w, "db", "allow"), decision(T0, w, "db", "deny")));
        if (last != null) {
          assertThat(written.getFirst().seq()).isEqualTo(last.seq() + 1);
          assertThat(written.getFirst().prevHash()).isEqualTo(last.hash());
        }
        last = written.getLast();
      }
      assertThat(verifyWholeChain(audit())).isEqualTo(before + 12);
      assertThat(otherNode.audit().head().seq()).isEqualTo(last.seq());
    }
  }

  @Test
  void appendStoresEachLeaseWithItsEvent() {
    String w = "spiffe://example.org/" + unique("w");
    Lease l1 = lease(unique("jti"), w, T0, T0.plusSeconds(60), unique("fp"));
    Lease l2 = lease(unique("jti"), w, T0, T0.plusSeconds(120), unique("fp"));

    audit().append(List.of(issued(T0, l1), decision(T0, w, "db", "allow"), issued(T0, l2)));

    assertThat(store().leases().get(l1.id())).contains(l1);
    assertThat(store().leases().get(l2.id())).contains(l2);
  }

  @Test
  void anEventReadsBackItsLeaseAsIssuedAfterTheLeaseIsRenewed() {
    // a renewal moves the lease's end in leases; the event that issued it was hashed with the
    // first end, and must still read back (and re-hash) with it
    String w = "spiffe://example.org/" + unique("w");
    Lease l = lease(unique("jti"), w, T0, T0.plusSeconds(300), unique("fp"));
    AuditRecord appended = audit().append(List.of(issued(T0, l))).getFirst();

    assertThat(store().leases().extend(l.id(), T0.plusSeconds(600), T0.plusSeconds(10))).isTrue();

    AuditRecord read = audit().readChain(appended.seq(), 1).getFirst();
    assertThat(read.event().lease()).isEqualTo(l);
    assertThat(AuditChain.verifies(appended.prevHash(), read)).isTrue();
    assertThat(audit().byEventId(appended.event().id()).orElseThrow().event().lease()).isEqualTo(l);
  }

  @Test
  void anEventWrittenBeforeEventsKeptTheirLeaseReadsItFromTheLeases() {
    // rows appended before V24 have no copy of their lease: the lease comes from leases, as before
    String w = "spiffe://example.org/" + unique("w");
    Lease l = lease(unique("jti"), w, T0, T0.plusSeconds(300), unique("fp"));
    List<AuditRecord> appended =
        audit().append(List.of(issued(T0, l), decision(T0, w, "db", "allow")));
    long seq = appended.getFirst().seq();
    database()
        .execute(
            "UPDATE audit_events SET lease_kind = NULL, lease_workload = NULL, lease_resource = NULL,"
                + " lease_issued_at = NULL, lease_expires_at = NULL, lease_fingerprint = NULL"
                + " WHERE seq = "
                + seq);

    List<AuditRecord> read = audit().readChain(seq, 2);
    assertThat(read)
        .extracting(AuditRecord::event)
        .containsExactlyElementsOf(appended.stream().map(AuditRecord::event).toList());
    assertThat(AuditChain.verifies(appended.getFirst().prevHash(), read.getFirst())).isTrue();
    assertThat(read.get(1).event().lease()).isNull();
  }

  @Test
  void appendWhenOneEventFailsThenNothingOfTheBatchIsStored() {
    String w = "spiffe://example.org/" + unique("w");
    Lease taken = lease(unique("jti"), w, T0, T0.plusSeconds(60), unique("fp"));
    audit().append(List.of(issued(T0, taken)));
    long before = verifyWholeChain(audit());
    String lostWorkload = "spiffe://example.org/" + unique("lost");
    Lease fresh = lease(unique("jti"), lostWorkload, T0, T0.plusSeconds(60), unique("fp"));

    assertThatThrownBy(
            () ->
                audit()
                    .append(
                        List.of(
                            decision(T0, lostWorkload, "db", "allow"),
                            issued(T0, fresh),
                            issued(T0, taken))))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("append 3 audit events");

    assertThat(verifyWholeChain(audit())).isEqualTo(before);
    assertThat(audit().query(new AuditQuery(null, null, lostWorkload, null, null, null, null, 10)))
        .isEmpty();
    assertThat(store().leases().get(fresh.id())).isEmpty();
    assertThat(audit().append(List.of(decision(T0, w, "db", "allow"))).getFirst().seq())
        .isEqualTo(before + 1);
  }

  @Test
  void appendOfEmptyBatchStoresNothing() {
    long before = verifyWholeChain(audit());

    assertThat(audit().append(List.of())).isEmpty();
    assertThat(verifyWholeChain(audit())).isEqualTo(before);
  }

  @Test
  void queryReturnsNewestFirstAndAppliesEveryFilter() {
    String w1 = "spiffe://example.org/" + unique("w");
    String w2 = "spiffe://example.org/" + unique("w");
    String r1 = unique("res");
    Instant t = T0.plus(Duration.ofDays(1));
    List<AuditRecord> recs =
        audit()
            .append(
                List.of(
                    decision(t, w1, r1, "allow"),
                    decision(t.plusSeconds(1), w1, "other", "deny"),
                    decision(t.plusSeconds(2), w2, r1, "deny"),
                    decision(t.plusSeconds(3), w1, r1, "deny")));
    long s0 = recs.get(0).seq();

    assertThat(seqs(new AuditQuery(null, null, w1, null, null, null, null, 0)))
        .containsExactly(s0 + 3, s0 + 1, s0);
    assertThat(seqs(new AuditQuery(null, null, null, r1, null, null, null, 0)))
        .containsExactly(s0 + 3, s0 + 2, s0);
    assertThat(seqs(new AuditQuery(null, null, w1, r1, "deny", null, null, 0)))
        .containsExactly(s0 + 3);
    assertThat(seqs(new AuditQuery(null, null, w1, null, null, "decision", null, 0))).hasSize(3);
    assertThat(seqs(new AuditQuery(null, null, w1, null, null, "token.issued", null, 0))).isEmpty();
    assertThat(
            seqs(
                new AuditQuery(
                    null, null, w1, null, null, null, "no_matching_policy", null, null, 0)))
        .as("reason filter")
        .containsExactly(s0 + 3, s0 + 1);
    assertThat(
            seqs(
                new AuditQuery(
                    null,
                    null,
                    w1,
                    null,
                    null,
                    null,
                    null,
                    "spiffe://example.org/caller",
                    null,
                    0)))
        .as("actor filter")
        .containsExactly(s0 + 3, s0 + 1, s0);
    assertThat(
            seqs(new AuditQuery(null, null, w1, null, null, null, null, "admin:nobody", null, 0)))
        .isEmpty();
    assertThat(
            seqs(
                new AuditQuery(
                    t.plusSeconds(1), t.plusSeconds(3), null, null, null, null, null, 0)))
        .as("from inclusive, to exclusive")
        .containsExactly(s0 + 2, s0 + 1);
    assertThat(seqs(new AuditQuery(null, null, w1, null, null, null, s0 + 3, 0)))
        .containsExactly(s0 + 1, s0);
    assertThat(seqs(new AuditQuery(null, null, w1, null, null, null, null, 2)))
        .containsExactly(s0 + 3, s0 + 1);
    assertThat(audit().query(new AuditQuery(null, null, null, null, null, null, null, 0)))
        .extracting(AuditRecord::seq)
        .isSortedAccordingTo((a, b) -> Long.compare(b, a))
        .first()
        .isEqualTo(s0 + 3);
  }

  @Test
  void queryPagesWithTheBeforeSeqCursorWithoutGapsOrOverlaps() {
    String w = "spiffe://example.org/" + unique("w");
    List<AuditEvent> batch = new ArrayList<>();
    for (int i = 0; i < 95; i++) {
      batch.add(decision(T0.plusMillis(i), w, "db", "allow"));
    }
    audit().append(batch);
    audit().append(List.of(decision(T0, "spiffe://example.org/" + unique("noise"), "db", "allow")));

    List<Long> seen = new ArrayList<>();
    Long cursor = null;
    while (true) {
      List<AuditRecord> page =
          audit().query(new AuditQuery(null, null, w, null, null, null, cursor, 10));
      if (page.isEmpty()) {
        break;
      }
      page.forEach(r -> seen.add(r.seq()));
      cursor = page.getLast().seq();
    }

    assertThat(seen)
        .hasSize(95)
        .doesNotHaveDuplicates()
        .isSortedAccordingTo((a, b) -> Long.compare(b, a));
  }

  @Test
  void queryFindsWorkloadsAndResourcesLongerThanAnIndexKey() {
    // a PostgreSQL B-tree key may not exceed ~2,700 bytes; outside input can be longer, and a batch
    // refused for it would fail every request waiting on that batch
    String prefix = "spiffe://example.org/" + "x".repeat(300) + unique("long");
    String w1 = prefix + "/" + "a".repeat(3000);
    String w2 = prefix + "/" + "a".repeat(2999) + "b";
    String r = "https://api.example.com/" + "é".repeat(2000);
    List<AuditRecord> recs =
        audit().append(List.of(decision(T0, w1, r, "allow"), decision(T0, w2, r, "deny")));

    assertThat(seqs(new AuditQuery(null, null, w1, null, null, null, null, 0)))
        .containsExactly(recs.get(0).seq());
    assertThat(seqs(new AuditQuery(null, null, w2, r, null, null, null, 0)))
        .containsExactly(recs.get(1).seq());
    assertThat(audit().readChain(recs.get(0).seq(), 1).getFirst().event().workload()).isEqualTo(w1);
  }

  @Test
  void aTimeWindowIsPagedNewestFirstByTimeWithoutGapsWhenAppendOrderAndTimesDisagree() {
    // two nodes with skewed clocks: seq order and time order differ between neighbours
    String w = "spiffe://example.org/" + unique("w");
    Instant t = T0.plus(Duration.ofDays(3));
    int[] offsets = {5, 3, 4, 1, 2, 9, 7, 8, 6, 0};
    List<AuditEvent> batch = new ArrayList<>();
    for (int o : offsets) {
      batch.add(decision(t.plusSeconds(o), w, "db", "allow"));
    }
    List<AuditRecord> recs = audit().append(batch);
    audit()
        .append(
            List.of(
                decision(t.plusSeconds(20), w, "db", "allow"),
                decision(t.minusSeconds(20), w, "db", "deny")));

    List<Instant> seen = new ArrayList<>();
    Long cursor = null;
    while (true) {
      List<AuditRecord> page =
          audit().query(new AuditQuery(t, t.plusSeconds(10), w, null, null, null, cursor, 3));
      if (page.isEmpty()) {
        break;
      }
      page.forEach(r -> seen.add(r.event().time()));
      cursor = page.getLast().seq();
    }

    assertThat(seen)
        .hasSize(10)
        .doesNotHaveDuplicates()
        .isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(seqs(new AuditQuery(t.plusSeconds(4), null, w, null, null, null, null, 0)))
        .as("from only: newest by time, the one 20 s later first")
        .hasSize(7)
        .first()
        .isNotIn(recs.stream().map(AuditRecord::seq).toList());
  }

  @Test
  void reasonsActorsAndTypesLongerThanAnIndexKeyAreStoredAndFound() {
    // outside input can be longer than a PostgreSQL B-tree key (~2,700 bytes); the batch must not
    // fail
    String w = "spiffe://example.org/" + unique("w");
    String actor = "spiffe://example.org/" + "a".repeat(3000) + unique("actor");
    String reason = "r".repeat(3000) + unique("reason");
    String type = "t".repeat(3000) + unique("type");
    AuditRecord r =
        audit()
            .append(
                List.of(
                    new AuditEvent(
                        java.util.UUID.randomUUID().toString(),
                        T0,
                        type,
                        "deny",
                        reason,
                        actor,
                        w,
                        "db",
                        java.util.Map.of(),
                        null)))
            .getFirst();

    assertThat(seqs(new AuditQuery(null, null, null, null, null, null, reason, null, null, 0)))
        .containsExactly(r.seq());
    assertThat(seqs(new AuditQuery(null, null, null, null, null, null, null, actor, null, 0)))
        .containsExactly(r.seq());
    assertThat(seqs(new AuditQuery(null, null, null, null, null, type, null, null, null, 0)))
        .containsExactly(r.seq());
    assertThat(
            seqs(
                new AuditQuery(
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    reason.substring(0, 2999) + "x",
                    null,
                    null,
                    0)))
        .isEmpty();
  }

  @Test
  void readChainReturnsChainOrderFromSeqUpToLimit() {
    String w = "spiffe://example.org/" + unique("w");
    List<AuditEvent> batch = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.add(decision(T0, w, "db", "allow"));
    }
    long s0 = audit().append(batch).getFirst().seq();

    assertThat(audit().readChain(s0 + 2, 3))
        .extracting(AuditRecord::seq)
        .containsExactly(s0 + 2, s0 + 3, s0 + 4);
    assertThat(audit().readChain(s0, 0)).isEmpty();
    assertThat(audit().readChain(Long.MAX_VALUE, 5)).isEmpty();
    Set<Long> all =
        new HashSet<>(audit().readChain(1, 100_000).stream().map(AuditRecord::seq).toList());
    assertThat(all).contains(s0, s0 + 9);
  }

  @Test
  void readChainReadsPastAGapAsAnOpenRangeWould() {
    // a removed event leaves a gap that verification must see past: the closed range read first
    // returns fewer events than asked, and the rest must come from after it
    String w = "spiffe://example.org/" + unique("w");
    List<AuditEvent> batch = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.add(decision(T0, w, "db", "allow"));
    }
    long s0 = audit().append(batch).getFirst().seq();
    // moved far past the head rather than deleted, and moved back: the suite shares one chain
    long away = 1_000_000_000L;
    database()
        .execute(
            "UPDATE audit_events SET seq = seq + "
                + away
                + " WHERE seq IN ("
                + (s0 + 3)
                + ", "
                + (s0 + 4)
                + ")");
    try {
      assertThat(audit().readChain(s0 + 2, 4))
          .extracting(AuditRecord::seq)
          .containsExactly(s0 + 2, s0 + 5, s0 + 6, s0 + 7);
      assertThat(audit().readChain(s0 + 3, 2))
          .extracting(AuditRecord::seq)
          .containsExactly(s0 + 5, s0 + 6);
      assertThat(audit().readChain(s0 + 8, 3))
          .extracting(AuditRecord::seq)
          .as("the end of the chain, then what lies beyond a gap after it")
          .containsExactly(s0 + 8, s0 + 9, s0 + 3 + away);
    } finally {
      database().execute("UPDATE audit_events SET seq = seq - " + away + " WHERE seq > " + away);
    }
  }

  private List<Long> seqs(AuditQuery q) {
    return audit().query(q).stream().map(AuditRecord::seq).toList();
  }
}
