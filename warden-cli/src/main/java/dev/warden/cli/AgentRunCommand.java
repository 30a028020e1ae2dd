package dev.warden.cli;

import dev.warden.agent.runtime.AgentOptions;
import dev.warden.agent.runtime.AgentRuntime;
import dev.warden.agent.runtime.FileSink;
import dev.warden.agent.runtime.ServerException;
import dev.warden.agent.workloadapi.WorkloadApiServer;
import dev.warden.core.model.SpiffeId;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the agent: attest this node, serve the SPIFFE Workload API on a Unix socket, and keep "
          + "X.509/JWT-SVIDs (and optional credential files) renewed for the workloads this node may serve.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  warden agent run --server http://warden:8080 --join-token \"$(cat join.token)\"",
      "  warden agent run --server https://warden.example.org --platform-token-file \\",
      "      /var/run/secrets/tokens/warden-agent --socket /run/spiffe/workload.sock",
      "  warden agent run ... --file-sink spiffe://acme.test/api=/etc/api/svid,aud=https://db.acme.test,"
          + "cmd=systemctl reload envoy",
      "  warden agent run ... --proxy postgres:resource=ledger-db,listen=unix:/run/warden/pg/.s.PGSQL.5432",
      "      (then: psql -h /run/warden/pg -p 5432 — no user, no password; see docs/edge.md)",
      "  warden agent run ... --proxy mysql:resource=shop-db,listen=unix:/run/warden/shop.sock \\",
      "      --proxy redis:resource=cache,listen=127.0.0.1:6380",
      "      (then: mariadb --socket=/run/warden/shop.sock, redis-cli -p 6380; see docs/edge.md)",
      "",
      "Proxies can also be declared on the server (kind EdgeProxy, 'warden apply -f'): the agent starts, restarts",
      "and stops them as they are applied and deleted, beside its --proxy ones, and reports each one's state",
      "('warden agent list'). A declaration on an address a --proxy already uses is refused (logged, reported).",
      "",
      "Workloads connect with SPIFFE_ENDPOINT_SOCKET=unix://<socket>.",
      "Exit codes: 0 stopped, 1 cannot attest or bind the socket, 2 bad usage."
    })
final class AgentRunCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--server",
      required = true,
      paramLabel = "URL",
      description = "Warden server base URL; " + ServerUrl.HELP)
  String server;

  @Option(
      names = "--socket",
      defaultValue = "/tmp/warden-agent/workload.sock",
      paramLabel = "PATH",
      description = "Unix socket of the Workload API [${DEFAULT-VALUE}]")
  Path socket;

  @Option(
      names = "--data-dir",
      defaultValue = "./warden-agent-data",
      paramLabel = "DIR",
      description = "where the agent keeps its own key and session (0600) [${DEFAULT-VALUE}]")
  Path dataDir;

  @Option(
      names = "--join-token",
      paramLabel = "TOKEN",
      description = "single-use join token (or WARDEN_JOIN_TOKEN)")
  @Nullable String joinToken;

  @Option(
      names = "--platform-token-file",
      paramLabel = "FILE",
      description =
          "attest with a platform token read from this file (e.g. a projected service-account token)")
  @Nullable Path platformTokenFile;

  @Option(
      names = "--server-ca",
      paramLabel = "PEM",
      description =
          "CA certificates to trust for an HTTPS server (e.g. the bundle of a tls.selfIssued server)")
  @Nullable Path serverCa;

  @Option(
      names = "--sync-interval",
      defaultValue = "5s",
      description = "how often to sync with the server [5s]")
  String syncInterval;

  @Option(
      names = "--file-sink",
      paramLabel = "SPIFFE_ID=DIR[,aud=AUDIENCE...][,cmd=COMMAND]",
      description =
          "write svid.pem, svid_key.pem, bundle.pem (and jwt_<aud>.token) for a workload into DIR")
  List<String> fileSinks = new ArrayList<>();

  @Option(
      names = "--proxy",
      paramLabel = "postgres|mysql|redis:resource=NAME,listen=unix:PATH|127.0.0.1:PORT[,...]",
      description =
          "serve a credential-injecting proxy for a Warden resource (repeatable; options: upstream-tls="
              + "verify-full|verify-ca|disable, upstream-ca=PEM, allow-weak-auth=true); or an HTTP(S) egress proxy: "
              + "http:listen=127.0.0.1:PORT,route=HOST[:PORT]=resource:NAME[;header=NAME|;query=NAME|;basic][;plaintext]"
              + "[,route=...][,unlisted=tunnel|refuse][,upstream-ca=PEM]; needs an https --server. Proxies declared on "
              + "the server (EdgeProxy documents) run beside these")
  List<String> proxies = new ArrayList<>();

  @Option(
      names = "--status-listen",
      paramLabel = "HOST:PORT",
      description =
          "serve /healthz, /readyz (503 once a workload's SVID expired while the server was unreachable) "
              + "and /metrics over plain HTTP on this address, e.g. 127.0.0.1:9090 [off]")
  @Nullable String statusListen;

  @Override
  public Integer call() throws Exception {
    List<dev.warden.core.edge.ProxySpec> proxySpecs;
    java.net.InetSocketAddress statusAddress;
    try {
      proxySpecs = proxies.stream().map(dev.warden.core.edge.ProxySpec::parse).toList();
      statusAddress = statusListen == null ? null : hostPort(statusListen);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("warden agent: " + e.getMessage());
      return 2;
    }
    String jt = joinToken != null ? joinToken : System.getenv("WARDEN_JOIN_TOKEN");
    AgentOptions opts =
        new AgentOptions(
            ServerUrl.parse(server),
            socket,
            dataDir,
            jt,
            platformTokenFile,
            // blank: the default, as when the option is left out
            java.util.Objects.requireNonNullElse(
                dev.warden.core.model.Durations.parse("--sync-interval", syncInterval),
                Duration.ofSeconds(5)),
            Duration.ofSeconds(60),
            fileSinks.stream().map(AgentRunCommand::sink).toList(),
            serverCa);
    AgentRuntime runtime = new AgentRuntime(opts, Clock.systemUTC());
    try {
      runtime.start();
    } catch (ServerException e) {
      spec.commandLine().getErr().println("warden agent: cannot start: " + e.getMessage());
      return 1;
    }
    WorkloadApiServer api;
    try {
      api = WorkloadApiServer.start(socket, runtime);
    } catch (java.io.UncheckedIOException e) {
      runtime.close();
      spec.commandLine().getErr().println("warden agent: " + e.getMessage());
      return 1;
    }
    dev.warden.agent.runtime.AgentStatus status = null;
    if (statusAddress != null) {
      try {
        status = dev.warden.agent.runtime.AgentStatus.start(statusAddress, runtime);
      } catch (java.io.UncheckedIOException e) {
        api.close();
        runtime.close();
        spec.commandLine().getErr().println("warden agent: " + e.getMessage());
        return 1;
      }
    }
    dev.warden.agent.runtime.AgentStatus statusServer = status;
    dev.warden.agent.runtime.EdgeProxies edge = null;
    if (!proxySpecs.isEmpty()) {
      try {
        edge =
            dev.warden.agent.runtime.EdgeProxies.start(
                proxySpecs, opts, runtime, Clock.systemUTC());
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        api.close();
        if (statusServer != null) {
          statusServer.close();
        }
        runtime.close();
        spec.commandLine().getErr().println("warden agent: " + e.getMessage());
        return 1;
      }
    }
    spec.commandLine()
        .getOut()
        .printf(
            java.util.Locale.ROOT,
            "agent %s serving %d registrations on unix://%s%n",
            runtime.agentId(),
            runtime.entryCount(),
            socket.toAbsolutePath());
    for (dev.warden.core.edge.ProxySpec p : proxySpecs) {
      spec.commandLine()
          .getOut()
          .printf(
              java.util.Locale.ROOT,
              "%s proxy for resource %s on %s%n",
              p.protocol().name().toLowerCase(java.util.Locale.ROOT),
              p.resource(),
              p.where());
    }
    dev.warden.agent.runtime.EdgeProxies edgeProxies = edge;
    // the declared proxies come after the command line's: on one address, the flag wins
    dev.warden.agent.runtime.ProxyReconciler declared =
        dev.warden.agent.runtime.ProxyReconciler.follow(
            runtime,
            edge,
            () ->
                dev.warden.agent.runtime.EdgeProxies.start(
                    List.of(), opts, runtime, Clock.systemUTC()),
            Clock.systemUTC());
    declared
        .statuses()
        .forEach(
            (name, st) ->
                spec.commandLine()
                    .getOut()
                    .printf(
                        java.util.Locale.ROOT,
                        "declared proxy %s: %s%s%n",
                        name,
                        st.state().wire(),
                        st.message() == null ? "" : " (" + st.message() + ")"));
    spec.commandLine().getOut().flush();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  declared.close();
                  if (edgeProxies != null) {
                    edgeProxies.close();
                  }
                  api.close();
                  if (statusServer != null) {
                    statusServer.close();
                  }
                  runtime.close();
                  stop.countDown();
                }));
    stop.await();
    return 0;
  }

  /** HOST:PORT (an IPv6 host in brackets) as an address to bind. */
  static java.net.InetSocketAddress hostPort(String spec) {
    int colon = spec.lastIndexOf(':');
    String host = colon < 0 ? "" : spec.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = colon < 0 ? -1 : Integer.parseInt(spec.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (host.isEmpty() || port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "--status-listen must be HOST:PORT, e.g. 127.0.0.1:9090, got '" + spec + "'");
    }
    return new java.net.InetSocketAddress(host, port);
  }

  static FileSink sink(String spec) {
    int eq = spec.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException(
          "--file-sink must be SPIFFE_ID=DIR[,aud=...][,cmd=...], got '" + spec + "'");
    }
    SpiffeId id = SpiffeId.parse(spec.substring(0, eq));
    String[] parts = spec.substring(eq + 1).split(",");
    List<String> auds = new ArrayList<>();
    List<String> cmd = List.of();
    for (int i = 1; i < parts.length; i++) {
      if (parts[i].startsWith("aud=")) {
        auds.add(parts[i].substring(4));
      } else if (parts[i].startsWith("cmd=")) {
        cmd = Arrays.asList(parts[i].substring(4).trim().split("\\s+"));
      } else {
        throw new IllegalArgumentException(
            "--file-sink: unknown option '" + parts[i] + "' (use aud= or cmd=)");
      }
    }
    return new FileSink(id, Path.of(parts[0]), auds, cmd);
  }
}
