package dev.warden.bench.agent;

import dev.warden.agent.workloadapi.proto.JWTSVIDRequest;
import dev.warden.agent.workloadapi.proto.SpiffeWorkloadAPIGrpc;
import dev.warden.bench.BenchSupport;
import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent as a workload sees it: a real server (embedded store), 100 workloads this process may
 * hold, the agent started as its own process from the CLI jar, then FetchJWTSVID latency through
 * the Unix socket from the agent's cache, and the agent's resident memory when idle.
 *
 * <pre>
 * java -cp warden-bench/target/warden-bench.jar dev.warden.bench.agent.AgentLoad [calls] [workloads]
 * </pre>
 */
public final class AgentLoad {
  static final String AGENT_OPTS =
      "-XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -Xms32m -Xmx64m"
          + " -XX:ReservedCodeCacheSize=32m -XX:MaxDirectMemorySize=32m -Dio.grpc.netty.shaded.io.netty.allocator.type=unpooled";

  private AgentLoad() {}

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int workloads = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    Path dir = Files.createTempDirectory("warden-agent-bench");
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("server.port", Integer.toString(port));
    flags.put("server.dataDir", dir.resolve("server").toString());
    flags.put("server.trustDomain", "bench.test");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WardenServer server =
        WardenServer.start(
            ConfigLoader.load(null, Map.of(), flags),
            Clock.systemUTC(),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    String admin = BenchSupport.bootstrapToken(out);
    String base = "http://127.0.0.1:" + port;
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    StringBuilder docs = new StringBuilder("{\"documents\":[");
    for (int i = 0; i < workloads; i++) {
      docs.append(i == 0 ? "" : ",")
          .append("{\"kind\":\"Workload\",\"spec\":{\"spiffeId\":\"spiffe://bench.test/svc-")
          .append(i)
          .append("\",\"selectors\":[\"unix:uid=")
          .append(uid)
          .append("\"],\"owner\":\"bench@example.org\",\"nodeSelectors\":[\"node:pool=bench\"]}}");
    }
    // a JWT-SVID audience must be a resource that policy lets the workload reach
    docs.append(workloads == 0 ? "" : ",")
        .append("{\"kind\":\"Resource\",\"metadata\":{\"name\":\"ledger\"},\"spec\":{\"audience\":")
        .append(
            "\"https://ledger.bench.test\"}},{\"kind\":\"AccessPolicy\",\"metadata\":{\"name\":\"bench\"},")
        .append(
            "\"spec\":{\"workloads\":{\"spiffeIds\":[\"spiffe://bench.test/*\"]},\"resources\":[\"ledger\"]}}");
    docs.append("]}");
    post(base + "/v1/apply", admin, docs.toString());
    String join =
        post(base + "/v1/agent-tokens", admin, "{\"selectors\":[\"node:pool=bench\"]}")
            .replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
    Path socket = dir.resolve("agent.sock");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path jar = Path.of("warden-cli/target/warden.jar");
    // the JVM options the ./warden launcher uses for 'agent' (override with AGENT_JAVA_OPTS)
    String opts = System.getenv().getOrDefault("AGENT_JAVA_OPTS", AGENT_OPTS);
    List<String> cmd = new java.util.ArrayList<>(List.of(java));
    cmd.addAll(Arrays.asList(opts.trim().split("\\s+")));
    cmd.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "agent",
            "run",
            "--server",
            base,
            "--join-token",
            join,
            "--socket",
            socket.toString(),
            "--data-dir",
            dir.resolve("agent").toString()));
    System.out.println("agent JVM options: " + opts);
    Process agent = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = r.readLine()) != null && !line.contains("serving")) {
      System.out.println("agent: " + line);
    }
    System.out.println("agent: " + line);
    Thread.ofPlatform().daemon(true).start(() -> r.lines().forEach(l -> {}));

    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    ManagedChannel ch =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(group)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .build();
    Metadata h = new Metadata();
    h.put(Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER), "true");
    var stub =
        SpiffeWorkloadAPIGrpc.newBlockingStub(ch)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
    JWTSVIDRequest req =
        JWTSVIDRequest.newBuilder()
            .addAudience("https://ledger.bench.test")
            .setSpiffeId("spiffe://bench.test/svc-7")
            .build();
    for (int i = 0; i < 3_000; i++) {
      stub.fetchJWTSVID(req);
    }
    long[] lat = new long[calls];
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      long s = System.nanoTime();
      stub.fetchJWTSVID(req);
      lat[i] = System.nanoTime() - s;
    }
    long total = System.nanoTime() - t0;
    Arrays.sort(lat);
    System.out.printf(
        "FetchJWTSVID from the agent's cache, %d calls, 1 client: %.0f/s, p50 %.3f ms, p90 %.3f ms,"
            + " p99 %.3f ms, max %.3f ms%n",
        calls,
        calls / (total / 1e9),
        lat[calls / 2] / 1e6,
        lat[(int) (calls * 0.9)] / 1e6,
        lat[(int) (calls * 0.99)] / 1e6,
        lat[calls - 1] / 1e6);
    ch.shutdownNow();
    group.shutdownGracefully();
    Thread.sleep(15_000); // idle: a few sync cycles pass
    List<String> status = Files.readAllLines(Path.of("/proc/" + agent.pid() + "/status"));
    for (String s : status) {
      if (s.startsWith("VmRSS") || s.startsWith("VmHWM")) {
        System.out.println(
            "agent " + s.replaceAll("\\s+", " ") + " (" + workloads + " workloads, idle)");
      }
    }
    agent.destroy();
    agent.waitFor();
    server.close();
  }

  private static String post(String url, String token, String body) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }
}
