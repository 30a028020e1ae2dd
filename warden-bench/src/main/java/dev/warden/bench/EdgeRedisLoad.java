package dev.warden.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.agent.runtime.AgentOptions;
import dev.warden.agent.runtime.AgentRuntime;
import dev.warden.agent.runtime.EdgeProxies;
import dev.warden.core.edge.ProxySpec;
import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * redis-benchmark through the agent's Redis proxy against redis-benchmark straight to Redis, in the
 * same run (issue 12): GET and SET, pipelining off, on the local Redis (127.0.0.1:6379). The
 * proxied runs use the ACL user Warden issued to the workload; direct runs a static ACL user with
 * the same rules.
 *
 * <pre>
 * java -cp warden-bench/target/warden-bench.jar dev.warden.bench.EdgeRedisLoad [requests=200000] [clients=16]
 * </pre>
 */
public final class EdgeRedisLoad {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    String sfx = UUID.randomUUID().toString().substring(0, 8);
    String admin = "wb_admin_" + sfx;
    String direct = "wb_direct_" + sfx;
    redis("ACL", "SETUSER", admin, "on", ">admin-pw", "+acl", "+client", "+ping");
    redis(
        "ACL",
        "SETUSER",
        direct,
        "on",
        ">direct-pw",
        "~key:*",
        "~counter:*",
        "+get",
        "+set",
        "+ping",
        "+config|get");
    Path dir = Files.createTempDirectory("warden-edge-redis");
    Map<String, String> flags = new LinkedHashMap<>();
    int port = 19980 + (int) (ProcessHandle.current().pid() % 500);
    flags.put("server.port", Integer.toString(port));
    flags.put("server.dataDir", dir.resolve("server").toString());
    flags.put("tls.selfIssued", "true");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (WardenServer server =
        WardenServer.start(
            ConfigLoader.load(null, Map.of(), flags),
            Clock.systemUTC(),
            new PrintStream(out, true, StandardCharsets.UTF_8))) {
      String bootstrap = BenchSupport.bootstrapToken(out);
      String base = "https://localhost:" + port;
      EdgeLoad.Admin api = new EdgeLoad.Admin(base, bootstrap, dir.resolve("server-ca.pem"));
      int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      api.send("PUT", "/v1/target-secrets/redis-admin", "{\"value\": \"admin-pw\"}");
      api.send(
          "POST",
          "/v1/apply",
          JSON.writeValueAsString(
              Map.of(
                  "documents",
                  List.of(
                      Map.of(
                          "kind",
                          "Workload",
                          "spec",
                          Map.of(
                              "spiffeId",
                              "spiffe://warden.local/bench/app",
                              "selectors",
                              List.of("unix:uid=" + uid),
                              "owner",
                              "bench@example.org",
                              "nodeSelectors",
                              List.of("node:pool=bench"))),
                      Map.of(
                          "kind",
                          "Resource",
                          "metadata",
                          Map.of("name", "cache"),
                          "spec",
                          Map.of(
                              "audience",
                              "redis://cache",
                              "kind",
                              "redis",
                              "database",
                              Map.of(
                                  "url",
                                  "redis://127.0.0.1:6379",
                                  "adminUser",
                                  admin,
                                  "adminPasswordSecret",
                                  "redis-admin",
                                  "acl",
                                  List.of(
                                      "~key:*",
                                      "~counter:*",
                                      "+get",
                                      "+set",
                                      "+ping",
                                      "+config|get"),
                                  "usernameTemplate",
                                  "wb_{workload}_{random}",
                                  "maxTtl",
                                  "1h"))),
                      Map.of(
                          "kind",
                          "AccessPolicy",
                          "metadata",
                          Map.of("name", "bench"),
                          "spec",
                          Map.of(
                              "workloads",
                              Map.of("spiffeIds", List.of("spiffe://warden.local/bench/app")),
                              "resources",
                              List.of("cache"),
                              "credentialKind",
                              "database_user",
                              "maxTtl",
                              "1h"))))));
      AgentOptions o = api.benchAgent(dir);
      try (AgentRuntime agent = new AgentRuntime(o, Clock.systemUTC())) {
        agent.start();
        Path sock = dir.resolve("redis.sock");
        int tcp = port + 1;
        try (EdgeProxies edge =
            EdgeProxies.start(
                List.of(
                    ProxySpec.parse(
                        "redis:resource=cache,listen=unix:" + sock + ",upstream-tls=disable"),
                    ProxySpec.parse(
                        "redis:resource=cache,listen=127.0.0.1:" + tcp + ",upstream-tls=disable")),
                o,
                agent,
                Clock.systemUTC())) {
          bench(
              List.of("-s", sock.toString()),
              2000,
              clients); // warm-up; the first connection fetches the user
          System.out.printf(
              Locale.ROOT,
              "redis-benchmark -t get,set -n %d -c %d, pipelining off%n",
              requests,
              clients);
          for (int round = 0; round < 2; round++) {
            Map<String, Double> d =
                bench(
                    List.of("-h", "127.0.0.1", "-p", "6379", "--user", direct, "-a", "direct-pw"),
                    requests,
                    clients);
            Map<String, Double> pu = bench(List.of("-s", sock.toString()), requests, clients);
            Map<String, Double> pt =
                bench(List.of("-h", "127.0.0.1", "-p", Integer.toString(tcp)), requests, clients);
            for (String op : List.of("SET", "GET")) {
              System.out.printf(
                  Locale.ROOT,
                  "%s: direct TCP %.0f ops/s | proxy Unix socket %.0f (%.0f%%) | proxy loopback"
                      + " TCP %.0f (%.0f%%)%n",
                  op,
                  d.get(op),
                  pu.get(op),
                  100 * pu.get(op) / d.get(op),
                  pt.get(op),
                  100 * pt.get(op) / d.get(op));
            }
          }
        }
      }
    } finally {
      redis("ACL", "DELUSER", admin, direct);
      // the users Warden issued live until the reaper ends them, and this server is gone: end them
      // here
      Process p =
          new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", "6379", "ACL", "USERS").start();
      for (String u :
          new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\\s+")) {
        if (u.startsWith("wb_bench_app_")) {
          redis("ACL", "DELUSER", u);
        }
      }
    }
  }

  static Map<String, Double> bench(List<String> target, int requests, int clients)
      throws Exception {
    List<String> c =
        new ArrayList<>(
            List.of(
                "redis-benchmark",
                "-q",
                "-t",
                "get,set",
                "-n",
                Integer.toString(requests),
                "-c",
                Integer.toString(clients),
                "--csv"));
    c.addAll(target);
    Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("redis-benchmark failed: " + out);
    }
    Map<String, Double> r = new LinkedHashMap<>();
    Matcher m = Pattern.compile("\"(SET|GET)\",\"([0-9.]+)\"").matcher(out);
    while (m.find()) {
      r.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    if (r.size() != 2) {
      throw new IllegalStateException("no figures in redis-benchmark output: " + out);
    }
    return r;
  }

  static void redis(String... args) throws Exception {
    List<String> c = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", "6379"));
    c.addAll(List.of(args));
    Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)
        || p.exitValue() != 0
        || out.startsWith("(error)")
        || out.startsWith("ERR")) {
      throw new IllegalStateException("redis-cli " + String.join(" ", args) + ": " + out);
    }
  }
}
