package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins how every path under {@code /v1} answers each method and each kind of caller: status, error
 * code, message, field and the caching and challenge headers, then the request metrics by route
 * group. Which check comes first (authentication, path, method, scope, percent-decoding) differs
 * between endpoints and is part of the contract; this table is what a routing change must keep.
 *
 * <p>Expected answers are in {@code routing-table.txt} beside this class. After an intended change,
 * regenerate with {@code WARDEN_UPDATE_ROUTING_TABLE=1 ./mvnw -o test -pl warden-server -am
 * -Dtest=RoutingTableTest -Dsurefire.failIfNoSpecifiedTests=false} and review the diff.
 */
class RoutingTableTest {
  private static final Path TABLE =
      Path.of("src/test/resources/dev/warden/server/routing-table.txt");
  private static final String APP = "spiffe%3A%2F%2Facme.test%2Fapp";

  private static final List<String> PATHS =
      List.of(
          "/v1",
          "/v1/",
          "/v1/whoami",
          "/v1/whoami/x",
          "/v1/apply",
          "/v1/apply/x",
          "/v1/decisions:explain",
          "/v1/audit",
          "/v1/audit/chain",
          "/v1/audit/other",
          "/v1/audit/checkpoints",
          "/v1/audit/checkpoints/latest",
          "/v1/audit/checkpoints/jwks",
          "/v1/audit/checkpoints/x",
          "/v1/admin-tokens",
          "/v1/admin-tokens/nope",
          "/v1/keys",
          "/v1/keys/x",
          "/v1/keys:rotate",
          "/v1/leases",
          "/v1/leases?workload=" + APP,
          "/v1/leases/nope:revoke",
          "/v1/leases/nope",
          "/v1/scan",
          "/v1/scan/fingerprint-key",
          "/v1/scan/other",
          "/v1/leaks",
          "/v1/workloads",
          "/v1/workloads/",
          "/v1/workloads/" + APP,
          "/v1/workloads/" + APP + "?history=true",
          "/v1/workloads/spiffe%3A%2F%2Facme.test%2Fmissing",
          "/v1/policies/app-db",
          "/v1/policy/app-db",
          "/v1/policies/a+b",
          "/v1/Workload",
          "/v1/tp",
          "/v1/resources/db",
          "/v1/edgeproxies",
          "/v1/edgeproxies/nope",
          "/v1/nothing",
          "/v1/nothing/x",
          "/v1/inventory",
          "/v1/inventoryx",
          "/v1/inventory:import",
          "/v1/inventory/" + APP + "/blast-radius",
          "/v1/inventory/x",
          "/v1/posture",
          "/v1/posture?severity=critical",
          "/v1/posture:rebuild",
          "/v1/posturex",
          "/v1/report/maturity",
          "/v1/reports/maturity",
          "/v1/report/blast-radius",
          "/v1/reports/blast-radius",
          "/v1/report/kpi",
          "/v1/reports/kpi",
          "/v1/report/kpi/history",
          "/v1/reports/kpi/history",
          "/v1/report/kpi/history?days=0",
          "/v1/report/other",
          "/v1/report",
          "/v1/workloads:retire",
          "/v1/workloads:retirex",
          "/v1/owners:depart",
          "/v1/recert/campaigns",
          "/v1/recert/campaigns/",
          "/v1/recert/campaigns/nope",
          "/v1/recert/campaigns/nope/decisions",
          "/v1/recert/campaigns/nope/other",
          "/v1/recert/campaignsx",
          "/v1/recert",
          "/v1/bundle",
          "/v1/agent/attest",
          "/v1/agent/renew",
          "/v1/agent/sync",
          "/v1/agent/x509-svids",
          "/v1/agent/jwt-svids",
          "/v1/agent/proxy-status",
          "/v1/agent/other",
          "/v1/agent-tokens",
          "/v1/agents",
          "/v1/agentsx",
          "/v2/nothing");
  private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE");

  /** Percent-encoding that java.net.http refuses to send, so these go over a plain socket. */
  private static final List<String> RAW_PATHS =
      List.of(
          "/v1/whoami/%zz",
          "/v1/keys/%zz",
          "/v1/nothing/%zz",
          "/v1/workloads/%zz",
          "/v1/inventory/%zz/blast-radius",
          "/v1/recert/campaigns/%zz");

  @TempDir Path dir;

  @Test
  void everyPathAnswersEachMethodAndCallerAsPinned() throws Exception {
    List<String> lines = new ArrayList<>();
    try (ServerFixture f = ServerFixture.start(dir, Map.of("server.trustDomain", "acme.test"))) {
      f.apply(
          """
          kind: Resource
          metadata: {name: db}
          spec: {audience: "postgres://db.acme.test:5432/app", kind: postgres, sensitivity: high}
          ---
          kind: Workload
          spec: {spiffeId: "spiffe://acme.test/app", selectors: ["k8s:ns=app"], owner: app@acme.test}
          ---
          kind: AccessPolicy
          metadata: {name: app-db}
          spec: {workloads: {selectors: ["k8s:ns=app"]}, resources: [db], maxTtl: 5m}
          """);
      Map<String, String> callers = new LinkedHashMap<>();
      callers.put("none", null);
      callers.put("bogus", "wdn_0000_bogus");
      callers.put("introspect", token(f, "introspect"));
      callers.put("read", token(f, "read"));
      callers.put("admin", f.adminToken);
      for (String path : PATHS) {
        for (String method : METHODS) {
          for (Map.Entry<String, String> c : callers.entrySet()) {
            String body = method.equals("POST") || method.equals("PUT") ? "{}" : null;
            ServerFixture.Response r = f.admin(method, path, body, c.getValue());
            lines.add(method + " " + path + " " + c.getKey() + " -> " + describe(r));
          }
        }
      }
      for (String path : RAW_PATHS) {
        for (Map.Entry<String, String> c : callers.entrySet()) {
          lines.add("GET " + path + " " + c.getKey() + " -> " + rawStatus(f, path, c.getValue()));
        }
      }
      String metrics = f.get("/metrics").json().asText();
      metrics
          .lines()
          .filter(l -> l.startsWith("warden_http_requests_total{"))
          .sorted()
          .forEach(l -> lines.add("metric " + l));
    }
    String actual = String.join("\n", lines) + "\n";
    if (System.getenv("WARDEN_UPDATE_ROUTING_TABLE") != null) {
      Files.createDirectories(TABLE.getParent());
      Files.writeString(TABLE, actual, StandardCharsets.UTF_8);
    }
    String expected = Files.readString(TABLE, StandardCharsets.UTF_8);
    assertThat(actual.lines().toList())
        .as("routing table (regenerate: see the class comment)")
        .containsExactlyElementsOf(expected.lines().toList());
  }

  private static String token(ServerFixture f, String scope) {
    ServerFixture.Response r =
        f.admin(
            "POST",
            "/v1/admin-tokens",
            "{\"name\": \"only-"
                + scope.replace(':', '-')
                + "\", \"scopes\": [\""
                + scope
                + "\"]}");
    assertThat(r.status()).isEqualTo(201);
    return r.json().path("token").asText();
  }

  private static String describe(ServerFixture.Response r) {
    StringBuilder sb = new StringBuilder().append(r.status());
    JsonNode j = r.json();
    if (r.status() >= 300 && j.isObject()) {
      for (String field : List.of("error", "message", "field")) {
        if (j.has(field)) {
          sb.append(" | ").append(field).append('=').append(j.get(field).asText());
        }
      }
    }
    for (String h :
        List.of("content-type", "cache-control", "pragma", "www-authenticate", "retry-after")) {
      if (r.headers().containsKey(h)) {
        sb.append(" | ").append(h).append(": ").append(r.headers().get(h));
      }
    }
    return sb.toString();
  }

  /** Status line and error body of a request whose path the JDK client would not send as is. */
  private static String rawStatus(ServerFixture f, String path, String token) throws IOException {
    try (Socket s = new Socket("127.0.0.1", f.server.port())) {
      OutputStream out = s.getOutputStream();
      String req =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
              + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
              + "\r\n";
      out.write(req.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String status = all.lines().findFirst().orElse("");
      int body = all.indexOf("\r\n\r\n");
      String text = body < 0 ? "" : all.substring(body + 4);
      int brace = text.indexOf('{');
      int end = text.lastIndexOf('}');
      return status + (brace < 0 || end < brace ? "" : " " + text.substring(brace, end + 1));
    }
  }
}
