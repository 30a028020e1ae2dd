package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.testkit.TestOidcIssuer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The maintained posture index answers exactly what a recompute from the store answers, after every
 * kind of change that moves findings: imports that share or stop sharing fingerprints, owners
 * becoming known or unknown, departures, foreign leaks, retirements and token issuance.
 */
class PostureIndexTest {
  static final String AUD = "https://ledger.acme.test";
  static final String[] OWNERS = {"a@acme.test", "b@acme.test", "ghost@acme.test", ""};
  static final String[] FPS = {hex('1'), hex('2'), hex('3'), hex('4'), ""};

  @TempDir static Path dir;

  static TestOidcIssuer gh;
  static ServerFixture warden;

  @BeforeAll
  static void start() {
    gh = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden = ServerFixture.start(dir);
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: github}
        spec: {type: github-actions, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Resource
        metadata: {name: ledger}
        spec: {audience: %s, sensitivity: critical}
        ---
        kind: AccessPolicy
        metadata: {name: ci-ledger}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/ci/*]}, resources: [ledger]}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/ci/w0, selectors: ["github:repository=acme/w0"], owner: a@acme.test}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/ci/w1, selectors: ["github:repository=acme/w1"], owner: b@acme.test}
        """
            .formatted(gh.issuer(), AUD));
  }

  @AfterAll
  static void stop() {
    warden.close();
    gh.close();
  }

  static String hex(char c) {
    return String.valueOf(c).repeat(64);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}")
  @org.junit.jupiter.params.provider.ValueSource(longs = {20261202L, 7L, 424242L})
  void indexAgreesWithARecomputeAfterEveryKindOfChange(long seed) {
    Random r = new Random(seed);
    List<String> log = new ArrayList<>();
    for (int step = 0; step < 40; step++) {
      String did =
          switch (step < 4 ? step % 2 * 7 : r.nextInt(11)) {
            case 0, 1 -> importRows(r);
            case 2 -> applyWorkload(r);
            case 3 -> depart(r);
            case 4 -> leak(r);
            case 5 -> retire(r);
            case 9 -> changePolicy(r);
            case 10 -> adminToken(r);
            default -> issue(r);
          };
      log.add(step + ": " + did);
      assertAgrees(String.join("\n", log));
    }
    assertThat(log)
        .as("the run issued tokens, so usage and issued credentials were compared too")
        .anyMatch(l -> l.contains("-> 200") && l.contains("token for"));
  }

  static void assertAgrees(String steps) {
    JsonNode indexed = warden.admin("GET", "/v1/posture", null).json();
    JsonNode recomputed = warden.admin("GET", "/v1/posture?recompute=true", null).json();
    assertThat(findings(indexed)).as("findings after\n%s", steps).isEqualTo(findings(recomputed));
    assertThat(indexed.path("findings"))
        .as("the same order too")
        .isEqualTo(recomputed.path("findings"));
    assertThat(indexed.path("bySeverity")).isEqualTo(recomputed.path("bySeverity"));
    assertThat(indexed.path("total").asInt()).isEqualTo(recomputed.path("findings").size());
    JsonNode items = warden.admin("GET", "/v1/inventory?limit=1000", null).json().path("items");
    JsonNode fresh =
        warden.admin("GET", "/v1/inventory?limit=1000&recompute=true", null).json().path("items");
    assertThat(items).as("items after\n%s", steps).isEqualTo(fresh);
  }

  static TreeSet<String> findings(JsonNode answer) {
    TreeSet<String> out = new TreeSet<>();
    answer
        .path("findings")
        .forEach(
            f ->
                out.add(
                    f.path("ruleId").asText()
                        + " "
                        + f.path("itemId").asText()
                        + " "
                        + f.path("severity").asText()
                        + " "
                        + f.path("subject").asText()
                        + " "
                        + f.path("evidence").asText()));
    return out;
  }

  static String importRows(Random r) {
    StringBuilder csv =
        new StringBuilder(
            "name,kind,owner,environment,fingerprint,createdAt,expiresAt,lastUsedAt\n");
    int n = 1 + r.nextInt(4);
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    for (int i = 0; i < n; i++) {
      csv.append("KEY_")
          .append(r.nextInt(10))
          .append(',')
          .append(r.nextBoolean() ? "api-key" : "ci-secret")
          .append(',')
          .append(OWNERS[r.nextInt(OWNERS.length)])
          .append(',')
          .append(new String[] {"prod", "dev", ""}[r.nextInt(3)])
          .append(',')
          .append(FPS[r.nextInt(FPS.length)])
          .append(',')
          .append(
              r.nextBoolean() ? "2020-01-01T00:00:00Z" : now.minus(1, ChronoUnit.DAYS).toString())
          .append(',')
          .append(r.nextBoolean() ? "" : "2031-01-01T00:00:00Z")
          .append(',')
          .append(r.nextBoolean() ? "" : "2021-06-01T00:00:00Z")
          .append('\n');
    }
    ObjectNode b = ServerFixture.JSON.createObjectNode();
    b.put("format", "csv");
    b.put("content", csv.toString());
    b.put("source", "csv:keys");
    ServerFixture.Response res = warden.admin("POST", "/v1/inventory:import", b.toString());
    assertThat(res.status()).as("%s", res.json()).isEqualTo(200);
    return "import " + csv.toString().replace('\n', '|');
  }

  static String applyWorkload(Random r) {
    String name = "spiffe://acme.test/ci/w" + r.nextInt(3);
    String owner = OWNERS[r.nextInt(3)];
    warden.apply(
        """
        kind: Workload
        spec: {spiffeId: %s, selectors: ["github:repository=acme/%s"], owner: %s, environment: prod}
        """
            .formatted(name, name.substring(name.lastIndexOf('/') + 1), owner));
    return "workload " + name + " owner " + owner;
  }

  static String depart(Random r) {
    String owner = OWNERS[r.nextInt(3)];
    boolean reassign = r.nextBoolean();
    String body =
        reassign
            ? "{\"owner\": \""
                + owner
                + "\", \"reassignTo\": \""
                + OWNERS[(r.nextInt(2) + 1) % 3]
                + "\"}"
            : "{\"owner\": \"" + owner + "\", \"suspend\": true}";
    ServerFixture.Response res = warden.admin("POST", "/v1/owners:depart", body);
    assertThat(res.status()).as("%s", res.json()).isEqualTo(200);
    return "depart " + body;
  }

  static String leak(Random r) {
    String fp = FPS[r.nextInt(FPS.length - 1)];
    ServerFixture.Response res =
        warden.admin(
            "POST",
            "/v1/leaks",
            "{\"source\": \"git@github.com:acme/app.git\","
                + " \"findings\": [{\"fingerprint\": \""
                + fp
                + "\", \"ruleId\": \"generic\", \"path\": \"a.env\", \"line\": 1}]}");
    assertThat(res.status()).as("%s", res.json()).isEqualTo(200);
    return "leak " + fp.charAt(0);
  }

  static String retire(Random r) {
    String name = "spiffe://acme.test/ci/w2";
    ServerFixture.Response res =
        warden.admin("POST", "/v1/workloads:retire", "{\"workload\": \"" + name + "\"}");
    assertThat(res.status()).isIn(200, 404);
    return "retire " + name + " -> " + res.status();
  }

  static String changePolicy(Random r) {
    String resources = r.nextBoolean() ? "[ledger]" : "[ledger, cache]";
    warden.apply(
        """
        kind: Resource
        metadata: {name: cache}
        spec: {audience: https://cache.acme.test, sensitivity: low}
        ---
        kind: AccessPolicy
        metadata: {name: ci-ledger}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/ci/*]}, resources: %s}
        """
            .formatted(resources));
    return "policy ci-ledger -> " + resources;
  }

  static final List<String> TOKENS = new ArrayList<>();

  static String adminToken(Random r) {
    if (!TOKENS.isEmpty() && r.nextBoolean()) {
      String id = TOKENS.remove(0);
      assertThat(warden.admin("DELETE", "/v1/admin-tokens/" + id, null).status()).isEqualTo(200);
      return "admin token revoked " + id;
    }
    String body =
        r.nextBoolean()
            ? "{\"name\": \"ci-bot\", \"scopes\": [\"read\"]}"
            : "{\"name\": \"ops\", \"scopes\": [\"read\"], \"ttl\": \"1h\"}";
    ServerFixture.Response res = warden.admin("POST", "/v1/admin-tokens", body);
    assertThat(res.status()).as("%s", res.json()).isIn(200, 201);
    TOKENS.add(res.json().path("id").asText());
    return "admin token created " + body;
  }

  static String issue(Random r) {
    String repo = "acme/w" + r.nextInt(2);
    ServerFixture.Response res =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                gh.githubActionsToken(repo, "refs/heads/main"),
                "resource",
                AUD));
    return "token for " + repo + " -> " + res.status();
  }

  @Test
  void postureCanBePagedAndCountsEveryMatch() {
    importRows(new Random(7));
    JsonNode all = warden.admin("GET", "/v1/posture", null).json();
    int total = all.path("total").asInt();
    assertThat(total).isEqualTo(all.path("findings").size()).isGreaterThan(1);
    JsonNode first = warden.admin("GET", "/v1/posture?limit=1", null).json();
    assertThat(first.path("findings")).hasSize(1);
    assertThat(first.path("total").asInt()).isEqualTo(total);
    assertThat(first.path("next").asInt()).isEqualTo(1);
    JsonNode second = warden.admin("GET", "/v1/posture?limit=1&offset=1", null).json();
    assertThat(second.path("findings").path(0)).isEqualTo(all.path("findings").path(1));
    assertThat(warden.admin("GET", "/v1/posture?limit=0", null).status()).isEqualTo(400);
    assertThat(warden.admin("GET", "/v1/posture?offset=-1", null).status()).isEqualTo(400);
  }
}
