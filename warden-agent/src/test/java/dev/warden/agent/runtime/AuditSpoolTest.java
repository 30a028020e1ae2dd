package dev.warden.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.agent.ProxiedConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection events reach the server at least once, in order, across server outages and agent
 * restarts.
 */
class AuditSpoolTest {
  @TempDir Path dir;
  final List<String> received = new ArrayList<>();
  final AtomicBoolean serverUp = new AtomicBoolean(true);

  AuditSpool spool() throws Exception {
    return new AuditSpool(
        dir,
        events -> {
          if (!serverUp.get()) {
            throw new ServerException(0, "unreachable", "server down");
          }
          events.forEach(e -> received.add(e.id()));
        },
        Duration.ofHours(1),
        Clock.systemUTC());
  }

  static ProxiedConnection event(String id) {
    return new ProxiedConnection(
        id,
        Instant.parse("2030-01-01T00:00:00Z"),
        ProxiedConnection.Outcome.PROXIED,
        "postgres",
        "unix:/s",
        "db",
        "spiffe://td/w",
        "lease",
        "db:5432",
        null,
        Map.of("pid", "42"));
  }

  static ProxiedConnection withTxnToken(String id, String token) {
    return new ProxiedConnection(
        id,
        Instant.parse("2030-01-01T00:00:00Z"),
        ProxiedConnection.Outcome.PROXIED,
        "http",
        "127.0.0.1:3128",
        "orders",
        "spiffe://td/w",
        "lease",
        "orders:443",
        "GET",
        Map.of("pid", "42"),
        ProxiedConnection.Hop.of(token, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  }

  @Test
  void aRequestsTxnTokenAndTraceparentSurviveTheSpoolWhichOnlyTheAgentCanRead() throws Exception {
    List<ProxiedConnection> sent = new ArrayList<>();
    try (AuditSpool s = new AuditSpool(dir, sent::addAll, Duration.ofHours(1), Clock.systemUTC())) {
      s.record(withTxnToken("t", "eyJ.txn.token"));
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dir)))
          .isEqualTo("rwx------");
      s.ship();
    }
    assertThat(sent).hasSize(1);
    ProxiedConnection.Hop h = sent.getFirst().hop();
    assertThat(h.txnToken().reveal()).isEqualTo("eyJ.txn.token");
    assertThat(h.traceparent()).startsWith("00-4bf92f35");
  }

  @Test
  void batchesOfEventsWithLargeTxnTokensStayUnderTheServersBodyLimit() {
    String token = "t".repeat(ProxiedConnection.Hop.MAX_TXN_TOKEN);
    List<ProxiedConnection> events = new ArrayList<>();
    for (int i = 0; i < AuditSpool.BATCH; i++) {
      events.add(withTxnToken("e" + i, token));
    }
    int end = AuditSpool.batchEnd(events, 0);
    assertThat(end).isGreaterThan(1).isLessThan(AuditSpool.BATCH);
    long json = 0;
    for (ProxiedConnection e : events.subList(0, end)) {
      json += AuditSpool.json(e).toString().length();
    }
    assertThat(json).isLessThanOrEqualTo(AuditSpool.BATCH_CHARS);
    List<ProxiedConnection> small = new ArrayList<>();
    for (int i = 0; i < AuditSpool.BATCH + 5; i++) {
      small.add(event("s" + i));
    }
    assertThat(AuditSpool.batchEnd(small, 0)).isEqualTo(AuditSpool.BATCH);
  }

  @Test
  void eventsAreSentInOrderAndRemovedOnlyOnceTheServerTookThem() throws Exception {
    try (AuditSpool s = spool()) {
      serverUp.set(false);
      s.record(event("a"));
      s.record(event("b"));
      s.ship();
      assertThat(received).isEmpty();
      assertThat(s.pending()).isEqualTo(2);
      s.record(event("c"));
      serverUp.set(true);
      s.ship();
      assertThat(received).containsExactly("a", "b", "c");
      assertThat(s.pending()).isZero();
    }
  }

  @Test
  void eventsOfAnAgentThatWasKilledAreSentAfterItsRestart() throws Exception {
    serverUp.set(false);
    AuditSpool first = spool();
    first.record(event("before-crash-1"));
    first.record(event("before-crash-2"));
    // no close(): the process died here; what was recorded is in the operating system's hands
    serverUp.set(true);
    try (AuditSpool second = spool()) {
      second.record(event("after-restart"));
      second.ship();
    }
    assertThat(received).containsExactly("before-crash-1", "before-crash-2", "after-restart");
  }

  @Test
  void aLineTornByACrashIsSkippedAndTheRestOfItsSegmentIsStillSent() throws Exception {
    try (AuditSpool s = spool()) {
      s.record(event("whole"));
    }
    received.clear();
    Files.writeString(
        dir.resolve("current.jsonl"),
        AuditSpool.json(event("x1")) + "\n{\"id\": \"torn\", \"at\"",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    try (AuditSpool s = spool()) {
      s.ship();
    }
    assertThat(received).containsExactly("x1");
  }
}
