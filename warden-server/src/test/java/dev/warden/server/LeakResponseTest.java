package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.crypto.Fingerprinter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leaked Warden token reported by fingerprint is revoked, audited, and introspects as inactive.
 */
class LeakResponseTest {
  @TempDir static Path dir;

  static ServerFixture warden;

  @BeforeAll
  static void start() {
    warden =
        ServerFixture.startWithGithub(
            dir,
            Map.of(),
            ServerFixture.GithubWorkload.RELEASE.withResourceSpec(", sensitivity: critical"));
  }

  @AfterAll
  static void stop() {
    warden.close();
  }

  String grant() {
    ServerFixture.Response r = warden.grant();
    assertThat(r.status()).isEqualTo(200);
    return r.json().path("access_token").asText();
  }

  ServerFixture.Response introspect(String token, String callerToken) {
    return warden.send(
        "/oauth2/introspect",
        "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8),
        callerToken);
  }

  @Test
  void leakedTokenReportedByFingerprintIsRevokedWithinASecondAndIntrospectsInactive() {
    String leaked = grant();
    String rs =
        warden
            .admin(
                "POST",
                "/v1/admin-tokens",
                "{\"name\": \"vault-rs\", \"scopes\": [\"introspect\"]}")
            .json()
            .path("token")
            .asText();
    assertThat(introspect(leaked, rs).json().path("active").asBoolean()).isTrue();

    JsonNode keyDoc = warden.admin("GET", "/v1/scan/fingerprint-key", null).json();
    String fp =
        new Fingerprinter(Base64.getUrlDecoder().decode(keyDoc.path("key").asText()))
            .fingerprint(leaked);
    long t0 = System.nanoTime();
    ServerFixture.Response report =
        warden.admin(
            "POST",
            "/v1/leaks",
            """
        {"source": "git@github.com:acme/app.git", "findings": [
          {"fingerprint": "%s", "ruleId": "jwt", "path": "deploy/.env", "line": 3, "commit": "abc123"},
          {"fingerprint": "%s", "ruleId": "generic-api-key", "path": "x", "line": 1}]}"""
                .formatted(fp, "0".repeat(64)));
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(report.status()).isEqualTo(200);
    assertThat(report.json().path("received").asInt()).isEqualTo(2);
    assertThat(report.json().path("unmatched").asInt()).isEqualTo(1);
    assertThat(report.json().path("matched").get(0).path("revoked").asBoolean()).isTrue();
    assertThat(millis).as("report-to-revocation").isLessThan(1000);

    assertThat(introspect(leaked, rs).json().path("active").asBoolean()).isFalse();
    JsonNode revoked =
        warden
            .admin("GET", "/v1/audit?type=lease.revoked&limit=1", null)
            .json()
            .path("events")
            .get(0);
    assertThat(revoked.path("reason").asText()).isEqualTo("leaked");
    assertThat(revoked.path("details").path("path").asText()).isEqualTo("deploy/.env");
    assertThat(revoked.toString()).doesNotContain(leaked);
  }

  @Test
  void aDryRunReportSaysWhatWouldBeRevokedAndRevokesNothing() {
    String leaked = grant();
    String rs =
        warden
            .admin(
                "POST", "/v1/admin-tokens", "{\"name\": \"rs-dry\", \"scopes\": [\"introspect\"]}")
            .json()
            .path("token")
            .asText();
    JsonNode keyDoc = warden.admin("GET", "/v1/scan/fingerprint-key", null).json();
    String fp =
        new Fingerprinter(Base64.getUrlDecoder().decode(keyDoc.path("key").asText()))
            .fingerprint(leaked);
    int leakedBefore =
        warden
            .admin("GET", "/v1/audit?type=secret.leaked&limit=500", null)
            .json()
            .path("events")
            .size();
    ServerFixture.Response report =
        warden.admin(
            "POST",
            "/v1/leaks",
            """
        {"source": "dry", "dryRun": true, "findings": [
          {"fingerprint": "%s", "ruleId": "jwt", "path": "deploy/.env"},
          {"fingerprint": "%s", "ruleId": "generic-api-key", "path": "x"}]}"""
                .formatted(fp, "1".repeat(64)));
    assertThat(report.status()).isEqualTo(200);
    assertThat(report.json().path("dryRun").asBoolean()).isTrue();
    JsonNode m = report.json().path("matched").get(0);
    assertThat(m.path("active").asBoolean()).as("would be revoked").isTrue();
    assertThat(m.path("revoked").asBoolean()).isFalse();
    assertThat(introspect(leaked, rs).json().path("active").asBoolean())
        .as("still live after a dry run")
        .isTrue();
    assertThat(
            warden
                .admin("GET", "/v1/audit?type=secret.leaked&limit=500", null)
                .json()
                .path("events")
                .size())
        .as("a dry run records no leak")
        .isEqualTo(leakedBefore);
    JsonNode reported =
        warden
            .admin("GET", "/v1/audit?type=leak.reported&limit=1", null)
            .json()
            .path("events")
            .get(0);
    assertThat(reported.path("details").path("dryRun").asText()).isEqualTo("true");
  }

  @Test
  void introspectionNeedsTheIntrospectScopeAndRejectsForgedTokens() {
    String token = grant();
    assertThat(introspect(token, null).status()).isEqualTo(401);
    String auditor =
        warden
            .admin("POST", "/v1/admin-tokens", "{\"name\": \"aud\", \"scopes\": [\"audit:read\"]}")
            .json()
            .path("token")
            .asText();
    assertThat(introspect(token, auditor).status()).isEqualTo(403);
    String rs =
        warden
            .admin("POST", "/v1/admin-tokens", "{\"name\": \"rs2\", \"scopes\": [\"introspect\"]}")
            .json()
            .path("token")
            .asText();
    String forged =
        token.substring(0, token.lastIndexOf('.') + 1)
            + "AAAA"
            + token.substring(token.lastIndexOf('.') + 5);
    assertThat(introspect(forged, rs).json().path("active").asBoolean()).isFalse();
    assertThat(introspect("garbage", rs).json().path("active").asBoolean()).isFalse();
  }
}
