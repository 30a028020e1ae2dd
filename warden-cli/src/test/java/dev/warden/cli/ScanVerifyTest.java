package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.cli.CliFixture.Run;
import dev.warden.testkit.PrivatePostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code warden scan --verify} end to end: a real server, a real PostgreSQL (SCRAM and TLS on TCP)
 * managed as a Warden resource, and database URLs in a tree. A working password is {@code verified:
 * true} by a test login, an old one {@code false}, one for a database Warden does not manage is
 * never tried, and the server's own admin password is recognised by fingerprint without any login.
 * No password reaches the server or the report.
 */
class ScanVerifyTest {
  static final String LIVE_PW = "Legacy-Pa55-w0rd-9f3k";
  static final String OLD_PW = "Old-Pa55-w0rd-2xq7zz";
  static final String FOREIGN_PW = "Foreign-Pa55-8zq1pp";

  @TempDir static Path dir;

  static PrivatePostgres pg;
  static CliFixture cli;
  static String url;
  static String token;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    if (!PrivatePostgres.available() && System.getenv("CI") == null) {
      Assumptions.abort("no PostgreSQL server binaries (initdb) on this machine");
    }
    pg = PrivatePostgres.start();
    pg.psql("CREATE ROLE legacy_app LOGIN PASSWORD '" + LIVE_PW + "'");
    pg.psql("CREATE ROLE verify_app NOLOGIN");
    cli = CliFixture.start(dir, Map.of());
    token = cli.token;
    url = cli.url;
    assertThat(
            admin(
                    "PUT",
                    "/v1/target-secrets/pg-admin",
                    "{\"value\": \"" + PrivatePostgres.SUPERUSER_PASSWORD + "\"}")
                .statusCode())
        .isEqualTo(200);
    Path resource = dir.resolve("ledger-db.yaml");
    Files.writeString(
        resource,
        """
        kind: Resource
        metadata: {name: ledger-db}
        spec:
          audience: postgres://127.0.0.1/postgres
          kind: postgres
          database: {url: "%s", adminUser: postgres, adminPasswordSecret: pg-admin, roles: [verify_app]}
        """
            .formatted("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres?sslmode=require"));
    Run applied = warden("apply", "-f", resource.toString(), "--server", url, "--token", token);
    assertThat(applied.exit()).as(applied.err()).isZero();
  }

  @AfterAll
  static void stop() {
    if (cli != null) {
      cli.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  static HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  static Run warden(String... args) {
    return cli.warden(Map.of("WARDEN_SERVER", url, "WARDEN_TOKEN", token), args);
  }

  static String pgUrl(String user, String password) {
    return "postgresql://" + user + ":" + password + "@127.0.0.1:" + pg.port() + "/postgres";
  }

  static JsonNode byPath(JsonNode report, String path) {
    for (JsonNode f : report.path("findings")) {
      if (f.path("path").asText().equals(path)) {
        return f;
      }
    }
    throw new AssertionError("no finding in " + path + ": " + report);
  }

  @Test
  void liveDeadUnmanagedAndWardenHeldPasswordsAreToldApartWithoutSendingOneToTheServer()
      throws Exception {
    Path repo = dir.resolve("repo");
    Files.createDirectories(repo);
    Files.writeString(
        repo.resolve("app.env"), "DATABASE_URL=" + pgUrl("legacy_app", LIVE_PW) + "\n");
    Files.writeString(
        repo.resolve("old.env"), "DATABASE_URL=" + pgUrl("legacy_app", OLD_PW) + "\n");
    Files.writeString(
        repo.resolve("foreign.env"),
        "DATABASE_URL=postgresql://someone:" + FOREIGN_PW + "@db.elsewhere.example:5432/x\n");
    Files.writeString(
        repo.resolve("admin.env"),
        "ADMIN_URL=" + pgUrl("postgres", PrivatePostgres.SUPERUSER_PASSWORD) + "\n");

    Run scan = warden("scan", "--verify", "--no-progress", "-o", "json", repo.toString());

    assertThat(scan.exit()).as(scan.err()).isEqualTo(1);
    JsonNode report = JSON.readTree(scan.out());
    JsonNode live = byPath(report, "app.env");
    assertThat(live.path("verified").asBoolean()).isTrue();
    assertThat(live.path("verification").asText())
        .contains("test login to resource ledger-db as legacy_app succeeded");
    JsonNode dead = byPath(report, "old.env");
    assertThat(dead.path("verified").isBoolean()).isTrue();
    assertThat(dead.path("verified").asBoolean()).isFalse();
    assertThat(dead.path("verification").asText()).contains("refused (28P01)");
    JsonNode foreign = byPath(report, "foreign.env");
    assertThat(foreign.path("verified").asText()).isEqualTo("unknown");
    assertThat(foreign.path("verification").asText()).contains("not a database Warden manages");
    JsonNode held = byPath(report, "admin.env");
    assertThat(held.path("verified").asBoolean()).isTrue();
    assertThat(held.path("verification").asText()).contains("target-secret pg-admin");
    assertThat(scan.err()).contains("verify: 2 live, 1 not working, 1 unknown (2 test logins)");
    assertThat(scan.out()).doesNotContain(LIVE_PW, OLD_PW, FOREIGN_PW);

    // the only thing the server learnt is how many were asked about
    String audit = admin("GET", "/v1/audit?type=leak.verified&limit=5", "").body();
    assertThat(audit)
        .contains("\"fingerprints\"")
        .doesNotContain(LIVE_PW, OLD_PW, FOREIGN_PW, PrivatePostgres.SUPERUSER_PASSWORD);
  }

  @Test
  void failOnVerifiedFailsOnlyWhenALiveSecretIsFound() throws Exception {
    Path stale = dir.resolve("stale-repo");
    Files.createDirectories(stale);
    Files.writeString(
        stale.resolve("old.env"), "DATABASE_URL=" + pgUrl("legacy_app", OLD_PW) + "\n");
    Run onlyDead =
        warden("scan", "--verify", "--fail-on", "verified", "--no-progress", stale.toString());
    assertThat(onlyDead.exit()).as(onlyDead.err()).isZero();
    assertThat(onlyDead.out()).contains("verified:    no (not working)");

    Files.writeString(
        stale.resolve("app.env"), "DATABASE_URL=" + pgUrl("legacy_app", LIVE_PW) + "\n");
    Run withLive =
        warden("scan", "--verify", "--fail-on", "verified", "--no-progress", stale.toString());
    assertThat(withLive.exit()).as(withLive.err()).isEqualTo(1);
    assertThat(withLive.out()).contains("verified:    LIVE");
  }

  @Test
  void withNoTestLoginsAllowedAPasswordIsNotTriedAndStaysUnknown() throws Exception {
    Path repo = dir.resolve("no-logins");
    Files.createDirectories(repo);
    Files.writeString(
        repo.resolve("app.env"), "DATABASE_URL=" + pgUrl("legacy_app", LIVE_PW) + "\n");
    Run scan =
        warden(
            "scan",
            "--verify",
            "--verify-logins",
            "0",
            "--no-progress",
            "-o",
            "json",
            repo.toString());
    JsonNode f = byPath(JSON.readTree(scan.out()), "app.env");
    assertThat(f.path("verified").asText()).isEqualTo("unknown");
    assertThat(f.path("verification").asText()).contains("--verify-logins 0");
  }

  @Test
  void failOnVerifiedWithoutVerifyIsAUsageError() {
    Run r = warden("scan", "--fail-on", "verified", "--no-progress", dir.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("give it with --verify");
  }
}
