package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.checkpoint.CheckpointJws;
import dev.warden.core.checkpoint.VerifiedCheckpoint;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed checkpoints of the audit chain head over real HTTP on the embedded store: signed on a
 * timer when the head moved, served to admins, verifiable with the public checkpoint JWKS alone,
 * and a head moved back under the newest checkpoint counted on /metrics.
 */
class AuditCheckpointApiTest {
  @TempDir Path dir;

  ServerFixture warden;

  @BeforeEach
  void start() {
    warden = ServerFixture.start(dir.resolve("data"), Map.of("audit.checkpointInterval", "200ms"));
  }

  @AfterEach
  void stop() {
    warden.close();
  }

  static void await(String what, Supplier<Boolean> cond) throws InterruptedException {
    await(what, cond, () -> "");
  }

  /**
   * @param state what to show when the condition never held
   */
  static void await(String what, Supplier<Boolean> cond, Supplier<String> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!cond.get() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(cond.get()).as(what + " " + state.get()).isTrue();
  }

  void writeEvents(int n) {
    for (int i = 0; i < n; i++) {
      warden.apply(
          "kind: Resource\nmetadata: {name: r"
              + i
              + "-"
              + System.nanoTime()
              + "}\n"
              + "spec: {audience: https://r"
              + i
              + ".acme.test/"
              + System.nanoTime()
              + "}\n");
    }
  }

  JsonNode lastChainEvent() {
    JsonNode events =
        warden.admin("GET", "/v1/audit/chain?from=1&limit=5000", null).json().path("events");
    return events.get(events.size() - 1);
  }

  @Test
  void theLatestCheckpointSignsTheChainHeadAndVerifiesWithThePublicJwksAlone() throws Exception {
    writeEvents(3);
    JsonNode last = lastChainEvent();
    await(
        "a checkpoint of the head",
        () ->
            warden.admin("GET", "/v1/audit/checkpoints/latest", null).json().path("seq").asLong()
                >= last.path("seq").asLong());

    JsonNode latest = warden.admin("GET", "/v1/audit/checkpoints/latest", null).json();
    ServerFixture.Response jwks = warden.get("/v1/audit/checkpoints/jwks");
    assertThat(jwks.status()).as("the checkpoint keys need no token").isEqualTo(200);
    VerifiedCheckpoint v =
        CheckpointJws.verify(
            latest.path("checkpoint").asText(), CheckpointJws.keys("jwks", jwks.json().toString()));

    JsonNode signed =
        warden
            .admin("GET", "/v1/audit/chain?from=" + v.checkpoint().seq() + "&limit=1", null)
            .json();
    assertThat(HexFormat.of().formatHex(v.checkpoint().hash()))
        .isEqualTo(signed.path("events").path(0).path("hash").asText())
        .isEqualTo(latest.path("hash").asText());
    assertThat(v.checkpoint().chain()).isEqualTo(signed.path("chain").asText()).isNotBlank();
    assertThat(v.checkpoint().issuer()).isEqualTo(warden.base);
    assertThat(v.kid()).isEqualTo(latest.path("kid").asText());
    assertThat(jwks.json().toString()).doesNotContain("\"d\"");
    // the checkpoint keys are published nowhere else: no token of another kind verifies with them
    assertThat(warden.get("/oauth2/jwks").json().toString()).doesNotContain(v.kid());
  }

  @Test
  void anUnmovedHeadIsNotSignedAgainAndTheListIsNewestFirst() throws Exception {
    writeEvents(1);
    await(
        "a first checkpoint",
        () ->
            warden.admin("GET", "/v1/audit/checkpoints", null).json().path("checkpoints").size()
                >= 1);
    Thread.sleep(200);
    long quiet =
        warden.admin("GET", "/v1/audit/checkpoints", null).json().path("checkpoints").size();
    Thread.sleep(1_000);

    assertThat(warden.admin("GET", "/v1/audit/checkpoints", null).json().path("checkpoints").size())
        .as("no new checkpoint while nothing was written")
        .isEqualTo(quiet);
    writeEvents(1);
    await(
        "a checkpoint after the head moved",
        () ->
            warden.admin("GET", "/v1/audit/checkpoints", null).json().path("checkpoints").size()
                > quiet);
    JsonNode list = warden.admin("GET", "/v1/audit/checkpoints", null).json().path("checkpoints");
    assertThat(list.get(0).path("seq").asLong()).isGreaterThan(list.get(1).path("seq").asLong());
  }

  @Test
  void checkpointsAreAdminOnlyExceptTheirKeys() {
    assertThat(warden.get("/v1/audit/checkpoints").status()).isEqualTo(401);
    assertThat(warden.get("/v1/audit/checkpoints/latest").status()).isEqualTo(401);
    assertThat(warden.get("/v1/audit/chain").status()).isEqualTo(401);
    assertThat(warden.get("/v1/audit/nothing-here").status())
        .as("unknown paths too")
        .isEqualTo(401);
    assertThat(warden.get("/v1/audit/checkpoints/jwks").json().path("keys").size()).isEqualTo(1);
  }

  @Test
  void aHeadMovedBackUnderTheNewestCheckpointIsCountedOnMetrics() throws Exception {
    writeEvents(4);
    JsonNode last = lastChainEvent();
    long head = last.path("seq").asLong();
    await(
        "a checkpoint of the head",
        () ->
            warden.admin("GET", "/v1/audit/checkpoints/latest", null).json().path("seq").asLong()
                >= head);
    assertThat(warden.get("/metrics").json().asText())
        .contains("warden_audit_checkpoint_rollbacks_total 0.0");

    String keep =
        warden
            .admin("GET", "/v1/audit/chain?from=" + (head - 2) + "&limit=1", null)
            .json()
            .path("events")
            .path(0)
            .path("hash")
            .asText();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:h2:file:" + dir.resolve("data").toAbsolutePath() + "/warden", "warden", "");
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM audit_events WHERE seq > " + (head - 2));
      try (PreparedStatement ps =
          c.prepareStatement("UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE id = 1")) {
        ps.setLong(1, head - 2);
        ps.setBytes(2, HexFormat.of().parseHex(keep));
        ps.executeUpdate();
      }
    }

    await(
        "the rollback counted",
        () ->
            warden
                .get("/metrics")
                .json()
                .asText()
                .contains("warden_audit_checkpoint_rollbacks_total 1.0"),
        () ->
            warden
                .get("/metrics")
                .json()
                .asText()
                .lines()
                .filter(l -> l.contains("rollbacks"))
                .toList()
                .toString());
    await(
        "the moved-back head signed",
        () ->
            warden.admin("GET", "/v1/audit/checkpoints/latest", null).json().path("seq").asLong()
                == head - 2);
    Thread.sleep(600);
    assertThat(warden.get("/metrics").json().asText())
        .as("counted once, not at every round")
        .contains("warden_audit_checkpoint_rollbacks_total 1.0");
  }
}
