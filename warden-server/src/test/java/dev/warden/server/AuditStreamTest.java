package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.checkpoint.CheckpointJws;
import dev.warden.core.checkpoint.VerifiedCheckpoint;
import dev.warden.testkit.PrivateNats;
import dev.warden.testkit.TestOidcIssuer;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.MessageInfo;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit stream against real sinks: a JSON-lines file, the machine's NATS JetStream, and a
 * private nats-server that the test kills and starts again mid-stream. Every event arrives once, in
 * chain order, with its seq and hash, each batch followed by a checkpoint that verifies; a broker
 * that is down never holds up a grant, and its backlog shows on /metrics.
 */
class AuditStreamTest {
  static final String AUDIENCE = "https://ledger.acme.test";
  static final Pattern BACKLOG =
      Pattern.compile("warden_audit_stream_backlog\\{sink=\"(\\w+)\"} ([0-9.E]+)");

  @TempDir Path dir;

  final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }

  static void await(String what, Duration max, Supplier<Boolean> cond) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!cond.get() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(cond.get()).as(what).isTrue();
  }

  static long backlog(ServerFixture w, String sink) {
    Matcher m = BACKLOG.matcher(w.get("/metrics").json().asText());
    while (m.find()) {
      if (m.group(1).equals(sink)) {
        return (long) Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError("no backlog for sink " + sink + " on /metrics");
  }

  /** Every event of the chain, as the API gives it. */
  static List<JsonNode> chain(ServerFixture w) {
    List<JsonNode> all = new ArrayList<>();
    w.admin("GET", "/v1/audit/chain?from=1&limit=5000", null)
        .json()
        .path("events")
        .forEach(all::add);
    return all;
  }

  /** A trust provider, a workload and a policy, so that the test can ask for real grants. */
  static TestOidcIssuer grantsFor(ServerFixture w) {
    TestOidcIssuer k8s =
        TestOidcIssuer.builder().audience("https://warden.acme.test").path("/k8s").start();
    w.apply(
        """
        kind: TrustProvider
        metadata: {name: cluster}
        spec: {type: kubernetes, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/ns/payments/sa/worker, selectors: ["k8s:ns=payments", "k8s:sa=worker"], owner: bob@acme.test}
        ---
        kind: Resource
        metadata: {name: ledger}
        spec: {audience: %s}
        ---
        kind: AccessPolicy
        metadata: {name: workers-to-ledger}
        spec: {workloads: {spiffeIds: ["spiffe://acme.test/ns/payments/*"]}, resources: [ledger], maxTtl: 5m}
        """
            .formatted(k8s.issuer(), AUDIENCE));
    return k8s;
  }

  static ServerFixture.Response grant(ServerFixture w, TestOidcIssuer k8s) {
    return w.token(
        Map.of(
            "grant_type",
            "client_credentials",
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion",
            k8s.kubernetesToken("payments", "worker", "worker-1"),
            "resource",
            AUDIENCE));
  }

  /** Checks that {@code events} are exactly the chain, in order, with its hashes. */
  static void assertExactlyTheChain(List<JsonNode> events, List<JsonNode> chain, String chainId) {
    assertThat(events)
        .extracting(e -> e.path("seq").asLong())
        .containsExactlyElementsOf(chain.stream().map(e -> e.path("seq").asLong()).toList());
    for (int i = 0; i < chain.size(); i++) {
      assertThat(events.get(i).path("hash").asText()).isEqualTo(chain.get(i).path("hash").asText());
      assertThat(events.get(i).path("prevHash").asText())
          .isEqualTo(chain.get(i).path("prevHash").asText());
      assertThat(events.get(i).path("type").asText()).isEqualTo(chain.get(i).path("type").asText());
      assertThat(events.get(i).path("chain").asText()).isEqualTo(chainId);
      assertThat(events.get(i).path("kind").asText()).isEqualTo("event");
    }
  }

  @Test
  void everyEventIsAppendedToTheFileOnceInOrderAndEachBatchEndsWithACheckpointThatVerifies()
      throws Exception {
    Path file = dir.resolve("stream/audit.jsonl");
    ServerFixture w =
        keep(
            ServerFixture.start(
                dir.resolve("data"),
                Map.of(
                    "audit.stream.file",
                    file.toString(),
                    "audit.stream.interval",
                    "100ms",
                    "audit.stream.batch",
                    "3")));
    TestOidcIssuer k8s = keep(grantsFor(w));
    for (int i = 0; i < 10; i++) {
      assertThat(grant(w, k8s).status()).isEqualTo(200);
    }
    long head = w.lastAuditEvent().path("seq").asLong();

    await(
        "the file sink caught up",
        Duration.ofSeconds(20),
        () -> backlog(w, "file") == 0 && w.lastAuditEvent().path("seq").asLong() == head);

    List<JsonNode> events = new ArrayList<>();
    List<JsonNode> checkpoints = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      JsonNode n = ServerFixture.JSON.readTree(line);
      (n.path("kind").asText().equals("checkpoint") ? checkpoints : events).add(n);
    }
    List<JsonNode> chain = chain(w);
    String chainId = w.admin("GET", "/v1/audit/chain?limit=1", null).json().path("chain").asText();
    assertExactlyTheChain(events, chain, chainId);
    var jwks = CheckpointJws.keys("jwks", w.get("/v1/audit/checkpoints/jwks").json().toString());
    assertThat(checkpoints).hasSizeGreaterThanOrEqualTo((int) (head / 3));
    for (JsonNode c : checkpoints) {
      VerifiedCheckpoint v = CheckpointJws.verify(c.path("checkpoint").asText(), jwks);
      assertThat(HexFormat.of().formatHex(v.checkpoint().hash()))
          .isEqualTo(chain.get((int) v.checkpoint().seq() - 1).path("hash").asText());
    }
    assertThat(checkpoints.getLast().path("seq").asLong()).isEqualTo(head);
  }

  static boolean sharedNatsUp() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 4222), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void everyEventReachesJetStreamInOrderDeDuplicatedByIdAndASubscriberResumesFromASequenceNumber()
      throws Exception {
    assumeTrue(
        sharedNatsUp() || System.getenv("CI") != null, "NATS is not running on 127.0.0.1:4222");
    String name =
        "WARDEN_AUDIT_TEST_"
            + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toUpperCase();
    String subject = "warden.test." + name.toLowerCase();
    Connection nc = keep(Nats.connect("nats://127.0.0.1:4222"));
    JetStreamManagement jsm = nc.jetStreamManagement();
    try {
      ServerFixture w =
          keep(
              ServerFixture.start(
                  dir.resolve("data"),
                  Map.of(
                      "audit.stream.nats.url",
                      "nats://127.0.0.1:4222",
                      "audit.stream.nats.stream",
                      name,
                      "audit.stream.nats.subject",
                      subject,
                      "audit.stream.interval",
                      "100ms",
                      "audit.stream.batch",
                      "4")));
      TestOidcIssuer k8s = keep(grantsFor(w));
      for (int i = 0; i < 12; i++) {
        assertThat(grant(w, k8s).status()).isEqualTo(200);
      }
      long head = w.lastAuditEvent().path("seq").asLong();
      await(
          "the NATS sink caught up",
          Duration.ofSeconds(20),
          () -> backlog(w, "nats") == 0 && w.lastAuditEvent().path("seq").asLong() == head);
      List<JsonNode> chain = chain(w);
      String chainId =
          w.admin("GET", "/v1/audit/chain?limit=1", null).json().path("chain").asText();

      List<JsonNode> all =
          AuditStreamSubscriber.read(
              nc, name, subject + ".events", 1, 10_000, Duration.ofSeconds(2));
      assertExactlyTheChain(all, chain, chainId);
      MessageInfo first = jsm.getNextMessage(name, 1, subject + ".events");
      assertThat(first.getHeaders().getFirst("Nats-Msg-Id")).isEqualTo(chainId + "-1");
      assertThat(jsm.getStreamInfo(name).getConfiguration().getDuplicateWindow())
          .isEqualTo(Duration.ofMinutes(10));

      long from = head / 2;
      List<JsonNode> resumed =
          AuditStreamSubscriber.read(
              nc, name, subject + ".events", from, 10_000, Duration.ofSeconds(2));
      assertExactlyTheChain(resumed, chain.subList((int) from - 1, chain.size()), chainId);

      MessageInfo cp = jsm.getLastMessage(name, subject + ".checkpoints");
      JsonNode cpJson = ServerFixture.JSON.readTree(cp.getData());
      VerifiedCheckpoint v =
          CheckpointJws.verify(
              cpJson.path("checkpoint").asText(),
              CheckpointJws.keys("jwks", w.get("/v1/audit/checkpoints/jwks").json().toString()));
      assertThat(v.checkpoint().seq()).isEqualTo(head);
      assertThat(HexFormat.of().formatHex(v.checkpoint().hash()))
          .isEqualTo(chain.getLast().path("hash").asText());
    } finally {
      jsm.deleteStream(name);
    }
  }

  @Test
  void aBrokerRestartMidStreamLosesAndDuplicatesNothingPastTheAckAndNeverHoldsUpAGrant()
      throws Exception {
    assumeTrue(
        PrivateNats.available() || System.getenv("CI") != null, PrivateNats.BINARY + " is missing");
    PrivateNats nats = keep(PrivateNats.start());
    ServerFixture w =
        keep(
            ServerFixture.start(
                dir.resolve("data"),
                Map.of(
                    "audit.stream.nats.url",
                    nats.url(),
                    "audit.stream.interval",
                    "100ms",
                    "audit.stream.batch",
                    "5")));
    TestOidcIssuer k8s = keep(grantsFor(w));
    String events = "warden.audit.events";

    // grants all along, from before the crash until after the restart
    AtomicBoolean granting = new AtomicBoolean(true);
    AtomicLong slowest = new AtomicLong();
    List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread grants =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (granting.get()) {
                    long t0 = System.nanoTime();
                    statuses.add(grant(w, k8s).status());
                    slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                    try {
                      Thread.sleep(20);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    try {
      await("some events streamed", Duration.ofSeconds(20), () -> statuses.size() >= 20);

      // a SIEM's durable consumer reads and acknowledges what is there so far
      Map<Long, Integer> seen = new LinkedHashMap<>();
      long acked;
      try (Connection nc = Nats.connect(nats.url())) {
        ConsumerContext siem =
            nc.jetStream()
                .getStreamContext("WARDEN_AUDIT")
                .createOrUpdateConsumer(
                    ConsumerConfiguration.builder()
                        .durable("siem")
                        .filterSubject(events)
                        .ackPolicy(AckPolicy.Explicit)
                        .build());
        for (int i = 0; i < 15; i++) {
          Message m = siem.next(Duration.ofSeconds(5));
          assertThat(m).as("message " + i).isNotNull();
          seen.merge(AuditStreamSubscriber.auditSeq(m), 1, Integer::sum);
          m.ackSync(Duration.ofSeconds(5));
        }
        acked = seen.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
        await(
            "the broker recorded the acks",
            Duration.ofSeconds(5),
            () -> {
              try {
                return nc.jetStreamManagement()
                        .getConsumerInfo("WARDEN_AUDIT", "siem")
                        .getAckFloor()
                        .getConsumerSequence()
                    >= 15;
              } catch (Exception e) {
                return false;
              }
            });
      }
      Thread.sleep(300);

      nats.kill();
      int before = statuses.size();
      await(
          "grants go on while the broker is down",
          Duration.ofSeconds(20),
          () -> statuses.size() >= before + 30);
      await("the backlog shows on /metrics", Duration.ofSeconds(10), () -> backlog(w, "nats") > 0);
      nats.restart();
      Thread.sleep(1_000);
      granting.set(false);
      grants.join(10_000);

      assertThat(statuses).as("every grant answered while the broker was down").containsOnly(200);
      assertThat(Duration.ofNanos(slowest.get()))
          .as("the slowest grant")
          .isLessThan(Duration.ofSeconds(2));
      long head = w.lastAuditEvent().path("seq").asLong();
      await(
          "the backlog drained after the restart",
          Duration.ofSeconds(60),
          () -> backlog(w, "nats") == 0 && w.lastAuditEvent().path("seq").asLong() == head);

      try (Connection nc = Nats.connect(nats.url())) {
        ConsumerContext siem =
            nc.jetStream().getStreamContext("WARDEN_AUDIT").getConsumerContext("siem");
        long last = acked;
        while (last < head) {
          Message m = siem.next(Duration.ofSeconds(5));
          assertThat(m).as("an event after " + last).isNotNull();
          long seq = AuditStreamSubscriber.auditSeq(m);
          seen.merge(seq, 1, Integer::sum);
          assertThat(seq).as("in order after the acknowledged ones").isEqualTo(last + 1);
          last = seq;
          m.ackSync(Duration.ofSeconds(5));
        }
        assertThat(siem.next(Duration.ofSeconds(1))).as("nothing past the head").isNull();
      }
      List<JsonNode> chain = chain(w);
      assertThat(seen.keySet())
          .containsExactlyElementsOf(chain.stream().map(e -> e.path("seq").asLong()).toList());
      assertThat(seen.values()).as("each event delivered once").containsOnly(1);
    } finally {
      granting.set(false);
      grants.join(10_000);
    }
  }

  @Test
  void aLeaseShorterThanFourIntervalsIsRefusedAtStartNamingTheKey() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ServerFixture.start(
                    dir.resolve("data"),
                    Map.of(
                        "audit.stream.file",
                        dir.resolve("a.jsonl").toString(),
                        "audit.stream.interval",
                        "1s",
                        "audit.stream.lease",
                        "2s")))
        .isInstanceOf(dev.warden.core.error.ValidationException.class)
        .hasMessageStartingWith(
            "audit.stream.lease: must be at least 4 times audit.stream.interval (1s)");
  }
}
