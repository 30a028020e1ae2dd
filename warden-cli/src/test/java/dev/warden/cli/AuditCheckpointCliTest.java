package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.cli.CliFixture.Run;
import dev.warden.core.checkpoint.Checkpoint;
import dev.warden.core.checkpoint.CheckpointJws;
import dev.warden.core.token.AccessTokenMinter;
import dev.warden.core.token.KeyMaterial;
import dev.warden.core.token.SigningAlgorithm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code warden audit verify --checkpoint} against a real server on the embedded store: a chain
 * whose newest events were deleted together with its head still verifies on its own, and only a
 * checkpoint kept outside the database proves the loss, naming the missing events.
 */
class AuditCheckpointCliTest {
  @TempDir Path dir;

  CliFixture cli;
  String url;
  String token;

  @BeforeEach
  void start() throws IOException {
    cli = CliFixture.start(dir, Map.of("audit.checkpointInterval", "100ms"));
    url = cli.url;
    token = cli.token;
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  /** The CLI in this process, with a home directory of the test's own. */
  Run warden(String... args) {
    return cli.warden(Map.of(), args);
  }

  /** Writes audited changes: each applied resource is one event. */
  void writeEvents(int n) throws IOException {
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String name = "r" + System.nanoTime() + "-" + i;
      yaml.append(i == 0 ? "" : "---\n")
          .append("kind: Resource\nmetadata: {name: ")
          .append(name)
          .append("}\nspec: {audience: https://")
          .append(name)
          .append(".acme.test}\n");
    }
    Path f = dir.resolve("resources-" + System.nanoTime() + ".yaml");
    Files.writeString(f, yaml);
    Run r = warden("apply", "-f", f.toString(), "--server", url, "--token", token);
    assertThat(r.exit()).as(r.err()).isZero();
  }

  long headSeq() throws IOException {
    JsonNode events =
        ApiClient.JSON
            .readTree(
                warden(
                        "audit",
                        "list",
                        "--limit",
                        "1",
                        "--server",
                        url,
                        "--token",
                        token,
                        "-o",
                        "json")
                    .out())
            .path("events");
    return events.path(0).path("seq").asLong();
  }

  /**
   * Waits for a checkpoint of the current head and saves it as `warden audit checkpoints` prints
   * it.
   */
  Path saveCheckpoint() throws Exception {
    long head = headSeq();
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (true) {
      Run r =
          warden(
              "audit",
              "checkpoints",
              "--limit",
              "1",
              "--server",
              url,
              "--token",
              token,
              "-o",
              "json");
      if (ApiClient.JSON.readTree(r.out()).path("checkpoints").path(0).path("seq").asLong()
          >= head) {
        Path f = dir.resolve("checkpoint-" + System.nanoTime() + ".json");
        Files.writeString(f, r.out());
        return f;
      }
      assertThat(System.nanoTime()).as("a checkpoint of event " + head).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  long checkpointSeq(Path saved) throws IOException {
    return ApiClient.JSON
        .readTree(Files.readString(saved))
        .path("checkpoints")
        .path(0)
        .path("seq")
        .asLong();
  }

  String checkpointJws(Path saved) throws IOException {
    return ApiClient.JSON
        .readTree(Files.readString(saved))
        .path("checkpoints")
        .path(0)
        .path("checkpoint")
        .asText();
  }

  /**
   * Deletes the newest events and sets the head to the event before them, as someone with the
   * database file could.
   */
  void deleteTailAndRewriteHead(long keepUpTo) throws Exception {
    String jdbc = "jdbc:h2:file:" + dir.resolve("data").toAbsolutePath() + "/warden";
    try (Connection c = DriverManager.getConnection(jdbc, "warden", "");
        Statement s = c.createStatement()) {
      byte[] hash;
      try (var rs = s.executeQuery("SELECT hash FROM audit_events WHERE seq = " + keepUpTo)) {
        assertThat(rs.next()).isTrue();
        hash = rs.getBytes(1);
      }
      s.executeUpdate("DELETE FROM audit_events WHERE seq > " + keepUpTo);
      try (PreparedStatement ps =
          c.prepareStatement("UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE id = 1")) {
        ps.setLong(1, keepUpTo);
        ps.setBytes(2, hash);
        ps.executeUpdate();
      }
    }
  }

  String get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void anUntouchedChainHoldsItsCheckpointFromAFileAUrlAndOffline() throws Exception {
    writeEvents(5);
    Path saved = saveCheckpoint();
    Path jwks = dir.resolve("audit-keys.json");
    Files.writeString(jwks, get("/v1/audit/checkpoints/jwks"));

    Run file =
        warden(
            "audit", "verify", "--checkpoint", saved.toString(), "--server", url, "--token", token);
    Run fromUrl =
        warden(
            "audit",
            "verify",
            "--checkpoint",
            url + "/v1/audit/checkpoints/latest",
            "--server",
            url,
            "--token",
            token,
            "-o",
            "json");
    Run offline =
        warden(
            "audit",
            "verify",
            "--checkpoint",
            saved.toString(),
            "--jwks",
            jwks.toString(),
            "--server",
            url,
            "--token",
            token);

    assertThat(file.exit()).as(file.out() + file.err()).isZero();
    assertThat(file.out())
        .startsWith("audit chain intact: ")
        .contains("it holds checkpoint ")
        .contains("(event " + checkpointSeq(saved) + ")");
    assertThat(fromUrl.exit()).as(fromUrl.out() + fromUrl.err()).isZero();
    assertThat(ApiClient.JSON.readTree(fromUrl.out()).path("checkpoint").path("holds").asBoolean())
        .isTrue();
    assertThat(offline.exit()).as(offline.out() + offline.err()).isZero();
  }

  @Test
  void deletingTheTailAndRewritingTheHeadFailsAgainstTheLastCheckpointNamingTheMissingRange()
      throws Exception {
    writeEvents(12);
    Path saved = saveCheckpoint();
    long signed = checkpointSeq(saved);
    deleteTailAndRewriteHead(signed - 9);

    Run plain = warden("audit", "verify", "--server", url, "--token", token);
    Run withCheckpoint =
        warden(
            "audit", "verify", "--checkpoint", saved.toString(), "--server", url, "--token", token);
    Run json =
        warden(
            "audit",
            "verify",
            "--checkpoint",
            saved.toString(),
            "--server",
            url,
            "--token",
            token,
            "-o",
            "json");

    assertThat(plain.exit()).as("the hash chain alone cannot see it: " + plain.out()).isZero();
    assertThat(withCheckpoint.exit()).isEqualTo(1);
    assertThat(withCheckpoint.out())
        .startsWith(
            "AUDIT CHAIN TRUNCATED: events "
                + (signed - 8)
                + ".."
                + signed
                + " missing: the chain ends at "
                + (signed - 9)
                + " but checkpoint ")
        .contains(" signed " + signed);
    JsonNode j = ApiClient.JSON.readTree(json.out());
    assertThat(j.path("intact").asBoolean()).isFalse();
    assertThat(j.path("checkpoint").path("missingFrom").asLong()).isEqualTo(signed - 8);
    assertThat(j.path("checkpoint").path("missingTo").asLong()).isEqualTo(signed);
  }

  @Test
  void aChainRolledBackAndWrittenPastTheCheckpointAgainFailsAsRewritten() throws Exception {
    writeEvents(4);
    Path saved = saveCheckpoint();
    long signed = checkpointSeq(saved);
    deleteTailAndRewriteHead(signed - 2);
    writeEvents(6);

    Run r =
        warden(
            "audit", "verify", "--checkpoint", saved.toString(), "--server", url, "--token", token);

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out())
        .startsWith("AUDIT CHAIN TRUNCATED: event " + signed + " is not the event checkpoint ")
        .contains("rolled back to before event " + signed + " and rewritten");
  }

  @Test
  void aForgedCheckpointIsRefusedWhateverItClaims() throws Exception {
    writeEvents(3);
    Path saved = saveCheckpoint();
    String[] parts = checkpointJws(saved).split("\\.");
    JsonNode payload = ApiClient.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
    String longer =
        payload
            .toString()
            .replace(
                "\"seq\":" + payload.path("seq").asLong(),
                "\"seq\":" + (payload.path("seq").asLong() + 50));
    KeyMaterial other = KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom());

    Map<String, String> forged =
        Map.of(
            "changed payload",
                parts[0]
                    + "."
                    + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(longer.getBytes(StandardCharsets.UTF_8))
                    + "."
                    + parts[2],
            "another key under the server's kid",
                AccessTokenMinter.signCompact(other, header, longer),
            "another key of its own",
                CheckpointJws.sign(
                        other,
                        new Checkpoint(
                            payload.path("iss").asText(),
                            payload.path("chain").asText(),
                            payload.path("seq").asLong() + 50,
                            new byte[32],
                            Instant.now()))
                    .jws());
    Map<String, String> reasons =
        Map.of(
            "changed payload",
            "bad_signature",
            "another key under the server's kid",
            "bad_signature",
            "another key of its own",
            "unknown_kid");
    for (Map.Entry<String, String> f : forged.entrySet()) {
      Path file = dir.resolve("forged.jws");
      Files.writeString(file, f.getValue() + "\n");

      Run r =
          warden(
              "audit",
              "verify",
              "--checkpoint",
              file.toString(),
              "--server",
              url,
              "--token",
              token);

      assertThat(r.exit()).as(f.getKey()).isEqualTo(2);
      assertThat(r.err())
          .as(f.getKey())
          .startsWith("error: checkpoint refused (" + reasons.get(f.getKey()) + "): ");
      assertThat(r.out()).as(f.getKey()).doesNotContain("intact");
    }
  }

  @Test
  void aCheckpointOfAnotherWardenIsRefusedEvenWithItsOwnKeys() throws Exception {
    writeEvents(2);
    KeyMaterial other = KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom());
    Path jwks = dir.resolve("other-keys.json");
    Files.writeString(jwks, "{\"keys\":[" + other.publicJwk() + "]}");
    Path cp = dir.resolve("other.jws");
    Files.writeString(
        cp,
        CheckpointJws.sign(
                other,
                new Checkpoint(
                    "https://other.example", "other-chain", 1, new byte[32], Instant.now()))
            .jws());

    Run r =
        warden(
            "audit",
            "verify",
            "--checkpoint",
            cp.toString(),
            "--jwks",
            jwks.toString(),
            "--server",
            url,
            "--token",
            token);

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("the checkpoint is of audit chain other-chain")
        .contains("signed by another Warden");
  }

  @Test
  void aFileWithoutACheckpointIsOneLineAndExit2() throws Exception {
    Path empty = dir.resolve("empty.json");
    Files.writeString(empty, "{\"checkpoints\":[]}");

    Run r =
        warden(
            "audit", "verify", "--checkpoint", empty.toString(), "--server", url, "--token", token);
    Run missing =
        warden(
            "audit",
            "verify",
            "--checkpoint",
            dir.resolve("nope").toString(),
            "--server",
            url,
            "--token",
            token);

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("holds no checkpoint");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("no such file");
  }

  @Test
  void checkpointsListsTheNewestAsATable() throws Exception {
    writeEvents(1);
    saveCheckpoint();

    Run r = warden("audit", "checkpoints", "--server", url, "--token", token);

    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("SEQ").contains("SIGNED", "KID");
    assertThat(r.out().lines().count()).isGreaterThanOrEqualTo(2);
  }
}
