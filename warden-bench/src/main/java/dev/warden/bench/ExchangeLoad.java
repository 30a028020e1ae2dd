package dev.warden.bench;

import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import dev.warden.server.config.ServerConfig;
import dev.warden.testkit.TestOidcIssuer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load driver for RFC 8693 delegation (issue 13): token exchanges that make a 3-hop chain (a
 * service's token, exchanged by agent 1, then by agent 2, is exchanged by agent 3 with its
 * actor_token), against plain client-credentials grants as the baseline, in the same run and the
 * same server. The exchange verifies two tokens (the Warden subject token with its lease, the
 * actor's platform token), evaluates the actor's policy with the chain in CEL, looks up the
 * previous hop's audit record and writes the hop; the grant verifies one token.
 *
 * <pre>
 * ./mvnw -q -DskipTests install -pl warden-bench -am
 * java -cp warden-bench/target/warden-bench.jar dev.warden.bench.ExchangeLoad [seconds=30] [connections=16] [subjects=300] [hot|cold]
 * </pre>
 *
 * <p>{@code hot} (default) cycles through {@code subjects} subject tokens, so most exchanges
 * present a subject token already verified once (its signature is then remembered; expiry, key and
 * lease are still checked); {@code cold} gives each round its own slice of never-seen subject
 * tokens and skips the exchange warm-up, so every exchange verifies its subject token's signature
 * (size {@code subjects} above what a round sends).
 */
public final class ExchangeLoad {
  static final String LEDGER = "https://ledger.bench.test";
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int subjects = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    boolean cold = args.length > 3 && args[3].equals("cold");
    Path dir = Files.createTempDirectory("warden-exchange-load");
    int port = 18080 + (int) (ProcessHandle.current().pid() % 1000);
    try (TestOidcIssuer k8s = TestOidcIssuer.builder().audience("warden").start()) {
      Map<String, String> flags = new LinkedHashMap<>();
      flags.put("server.port", Integer.toString(port));
      flags.put("server.dataDir", dir.toString());
      ServerConfig cfg = ConfigLoader.load(null, Map.of(), flags);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (WardenServer server =
          WardenServer.start(
              cfg, Clock.systemUTC(), new PrintStream(out, true, StandardCharsets.UTF_8))) {
        String bootstrap = BenchSupport.bootstrapToken(out);
        String base = "http://127.0.0.1:" + port;
        apply(
            base,
            bootstrap,
            """
            {"documents": [
              {"kind": "TrustProvider", "metadata": {"name": "cluster"}, "spec": {"type": "kubernetes", "issuer": "%s",
                "audiences": ["warden"], "algorithms": ["RS256"]}},
              {"kind": "Workload", "spec": {"spiffeId": "spiffe://bench.test/ns/shop/sa/frontend",
                "selectors": ["k8s:ns=shop", "k8s:sa=frontend"], "owner": "bench@acme.test"}},
              {"kind": "Workload", "spec": {"spiffeId": "spiffe://bench.test/ns/ai/sa/a1",
                "selectors": ["k8s:ns=ai", "k8s:sa=a1"], "owner": "bench@acme.test"}},
              {"kind": "Workload", "spec": {"spiffeId": "spiffe://bench.test/ns/ai/sa/a2",
                "selectors": ["k8s:ns=ai", "k8s:sa=a2"], "owner": "bench@acme.test"}},
              {"kind": "Workload", "spec": {"spiffeId": "spiffe://bench.test/ns/ai/sa/a3",
                "selectors": ["k8s:ns=ai", "k8s:sa=a3"], "owner": "bench@acme.test"}},
              {"kind": "Resource", "metadata": {"name": "ledger"}, "spec": {"audience": "%s"}},
              {"kind": "AccessPolicy", "metadata": {"name": "frontend"}, "spec": {
                "workloads": {"selectors": ["k8s:ns=shop"]}, "resources": ["ledger"], "maxTtl": "30m",
                "scopes": ["read"]}},
              {"kind": "AccessPolicy", "metadata": {"name": "agents"}, "spec": {
                "workloads": {"selectors": ["k8s:ns=ai"]}, "resources": ["ledger"], "maxTtl": "30m",
                "scopes": ["read"], "condition": "request.subject.id == \\"spiffe://bench.test/ns/shop/sa/frontend\\" && request.delegation_depth <= 3 && request.actor_chain.all(a, a.registered)"}}
            ]}"""
                .formatted(k8s.issuer(), LEDGER));
        Instant exp = Instant.now().plus(Duration.ofHours(2));
        HttpClient http = HttpClient.newHttpClient();
        // subject tokens two hops deep: frontend -> a1 -> a2; the measured request is a3's exchange
        List<String> depth2 = new ArrayList<>();
        for (int i = 0; i < subjects; i++) {
          String fe =
              token(
                  http,
                  base,
                  "grant_type=client_credentials&client_assertion_type="
                      + enc(JWT_BEARER)
                      + "&resource="
                      + enc(LEDGER)
                      + "&scope=read&client_assertion="
                      + k8s.kubernetes("shop", "frontend", "fe-" + i).expiresAt(exp).mint());
          String t1 =
              token(
                  http,
                  base,
                  exchange(fe, k8s.kubernetes("ai", "a1", "a1-" + i).expiresAt(exp).mint()));
          depth2.add(
              token(
                  http,
                  base,
                  exchange(t1, k8s.kubernetes("ai", "a2", "a2-" + i).expiresAt(exp).mint())));
        }
        int rounds = 2;
        int slice = cold ? subjects / rounds : subjects;
        List<Path> exLua = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
          StringBuilder ex = new StringBuilder("local bodies = {\n");
          int from = cold ? round * slice : 0;
          for (int i = from; i < from + slice; i++) {
            ex.append("  \"")
                .append(
                    exchange(
                        depth2.get(i), k8s.kubernetes("ai", "a3", "a3-" + i).expiresAt(exp).mint()))
                .append("\",\n");
          }
          Path p = dir.resolve("exchange-" + round + ".lua");
          Files.writeString(p, ex + LUA_TAIL);
          exLua.add(p);
        }
        StringBuilder cc = new StringBuilder("local bodies = {\n");
        for (int i = 0; i < Math.min(subjects, 1000); i++) {
          cc.append("  \"grant_type=client_credentials&client_assertion_type=")
              .append(enc(JWT_BEARER))
              .append("&resource=")
              .append(enc(LEDGER))
              .append("&scope=read&client_assertion=")
              .append(k8s.kubernetes("shop", "frontend", "fe-b" + i).expiresAt(exp).mint())
              .append("\",\n");
        }
        Path ccLua = dir.resolve("grant.lua");
        Files.writeString(ccLua, cc + LUA_TAIL);
        if (!cold) {
          String probe =
              token(
                  http,
                  base,
                  exchange(
                      depth2.get(0), k8s.kubernetes("ai", "a3", "probe").expiresAt(exp).mint()));
          if (!probe.contains(".")) {
            throw new IllegalStateException("probe exchange failed");
          }
        }
        System.out.printf(
            "3-hop exchanges vs client-credentials grants: %d s each, %d connections, %d subjects, %s%n",
            seconds,
            connections,
            subjects,
            cold ? "cold (every subject token new)" : "hot (subject tokens reused)");
        wrk(base + "/oauth2/token", ccLua, 10, connections);
        if (!cold) {
          wrk(base + "/oauth2/token", exLua.get(0), 10, connections);
        }
        for (int round = 1; round <= rounds; round++) {
          System.out.println("=== round " + round + ": client_credentials (baseline)");
          wrk(base + "/oauth2/token", ccLua, seconds, connections);
          System.out.println("=== round " + round + ": token exchange, third actor (3-hop chain)");
          wrk(base + "/oauth2/token", exLua.get(round - 1), seconds, connections);
        }
      }
    }
  }

  private static final String LUA_TAIL =
      "}\nlocal i = 0\nwrk.method = \"POST\"\n"
          + "wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n"
          + "request = function()\n  i = i + 1\n  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])\nend\n"
          + "done = function(summary, latency, requests)\n"
          + "  io.write(string.format(\"non-2xx: %d\\n\", summary.errors.status))\nend\n";

  private static String exchange(String subject, String actor) {
    return "grant_type="
        + enc("urn:ietf:params:oauth:grant-type:token-exchange")
        + "&subject_token="
        + subject
        + "&subject_token_type="
        + enc("urn:ietf:params:oauth:token-type:access_token")
        + "&actor_token="
        + actor
        + "&actor_token_type="
        + enc("urn:ietf:params:oauth:token-type:jwt")
        + "&resource="
        + enc(LEDGER)
        + "&scope=read";
  }

  private static String token(HttpClient http, String base, String form)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = Pattern.compile("\"access_token\":\"([^\"]+)\"").matcher(r.body());
    if (r.statusCode() != 200 || !m.find()) {
      throw new IllegalStateException("token request failed: " + r.statusCode() + " " + r.body());
    }
    return m.group(1);
  }

  private static String enc(String s) {
    return GrantLoad.enc(s);
  }

  private static void wrk(String url, Path lua, int seconds, int connections)
      throws IOException, InterruptedException {
    GrantLoad.wrk(url, lua, seconds, connections);
  }

  private static void apply(String base, String token, String body)
      throws IOException, InterruptedException {
    GrantLoad.apply(base, token, body);
  }
}
