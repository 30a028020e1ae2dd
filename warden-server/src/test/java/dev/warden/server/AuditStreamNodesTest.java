package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.testkit.PrivateNats;
import dev.warden.testkit.TestOidcIssuer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server nodes on one real PostgreSQL stream to one JetStream: one node at a time drains the
 * sink, every event reaches the stream once, and when the draining node stops the other takes over
 * from the shared cursor.
 */
class AuditStreamNodesTest {
  static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

  @TempDir Path dir;

  String database;
  final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    if (database != null) {
      try (var c = DriverManager.getConnection(ADMIN_URL, "postgres", null);
          Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }

  <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }

  static boolean draining(ServerFixture node) {
    return node.get("/metrics")
        .json()
        .asText()
        .contains("warden_audit_stream_draining{sink=\"nats\"} 1.0");
  }

  @Test
  void oneNodeDrainsTheSinkAndTheOtherTakesOverFromTheSharedCursorWhenItStops() throws Exception {
    assumeTrue(
        PrivateNats.available() || System.getenv("CI") != null, PrivateNats.BINARY + " is missing");
    database = TestPostgres.createDatabase("warden_stream_");
    PrivateNats nats = keep(PrivateNats.start());
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("db.url", "jdbc:postgresql://127.0.0.1:5432/" + database);
    flags.put("db.user", "postgres");
    flags.put("reload.interval", "200ms");
    flags.put("audit.stream.nats.url", nats.url());
    flags.put("audit.stream.interval", "100ms");
    flags.put("audit.stream.batch", "5");
    flags.put("audit.stream.lease", "2s");
    ServerFixture a = ServerFixture.start(dir, flags);
    ServerFixture b =
        ServerFixture.start(dir, flags); // same data dir: the nodes share the master key file
    String admin = a.adminToken;
    TestOidcIssuer k8s = keep(AuditStreamTest.grantsFor(a));
    List<ServerFixture> nodes = new ArrayList<>(List.of(a, b));
    try {
      AuditStreamTest.await(
          "node B serves the configuration",
          Duration.ofSeconds(10),
          () -> AuditStreamTest.grant(b, k8s).status() == 200);
      for (int i = 0; i < 10; i++) {
        assertThat(AuditStreamTest.grant(nodes.get(i % 2), k8s).status()).isEqualTo(200);
      }
      long head = a.lastAuditEvent().path("seq").asLong();
      AuditStreamTest.await(
          "both nodes see the sink caught up",
          Duration.ofSeconds(20),
          () ->
              AuditStreamTest.backlog(a, "nats") == 0
                  && AuditStreamTest.backlog(b, "nats") == 0
                  && a.lastAuditEvent().path("seq").asLong() == head);

      assertThat(nodes.stream().filter(AuditStreamNodesTest::draining))
          .as("nodes draining the sink")
          .hasSize(1);
      assertStreamHoldsExactlyTheChain(nats, a, admin);

      ServerFixture drainer = draining(a) ? a : b;
      ServerFixture other = drainer == a ? b : a;
      drainer.close();
      nodes.remove(drainer);
      for (int i = 0; i < 10; i++) {
        assertThat(AuditStreamTest.grant(other, k8s).status()).isEqualTo(200);
      }
      long after =
          other
              .admin("GET", "/v1/audit?limit=1", null, admin)
              .json()
              .path("events")
              .path(0)
              .path("seq")
              .asLong();
      assertThat(after).isGreaterThan(head);
      AuditStreamTest.await(
          "the other node took over and caught up",
          Duration.ofSeconds(20),
          () -> draining(other) && AuditStreamTest.backlog(other, "nats") == 0);
      assertStreamHoldsExactlyTheChain(nats, other, admin);
    } finally {
      nodes.forEach(ServerFixture::close);
    }
  }

  static void assertStreamHoldsExactlyTheChain(PrivateNats nats, ServerFixture node, String admin)
      throws Exception {
    List<JsonNode> chain = new ArrayList<>();
    node.admin("GET", "/v1/audit/chain?from=1&limit=5000", null, admin)
        .json()
        .path("events")
        .forEach(chain::add);
    String chainId =
        node.admin("GET", "/v1/audit/chain?limit=1", null, admin).json().path("chain").asText();
    try (Connection nc = Nats.connect(nats.url())) {
      List<JsonNode> streamed =
          AuditStreamSubscriber.read(
              nc, "WARDEN_AUDIT", "warden.audit.events", 1, 100_000, Duration.ofSeconds(2));
      AuditStreamTest.assertExactlyTheChain(streamed, chain, chainId);
      assertThat(
              nc.jetStreamManagement().getStreamInfo("WARDEN_AUDIT").getStreamState().getMsgCount())
          .as("no event stored twice")
          .isEqualTo(chain.size() + countCheckpoints(nc));
    }
  }

  static long countCheckpoints(Connection nc) throws Exception {
    var info =
        nc.jetStreamManagement()
            .getStreamInfo(
                "WARDEN_AUDIT",
                io.nats.client.api.StreamInfoOptions.filterSubjects("warden.audit.checkpoints"));
    return info.getStreamState().getSubjects().stream()
        .mapToLong(io.nats.client.api.Subject::getCount)
        .sum();
  }
}
