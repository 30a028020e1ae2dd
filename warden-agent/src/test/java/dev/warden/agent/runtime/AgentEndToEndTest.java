package dev.warden.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.agent.workloadapi.WorkloadApiServer;
import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.svid.jwtsvid.JwtSvid;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.svid.x509svid.X509SvidValidator;
import io.spiffe.workloadapi.DefaultJwtSource;
import io.spiffe.workloadapi.DefaultX509Source;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain for real: a Warden server, the agent attesting with a join token, the Workload
 * API on a Unix socket, and the official java-spiffe client fetching and validating SVIDs and
 * bundles, including through a server outage and an agent restart.
 */
class AgentEndToEndTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String WORKLOAD = "spiffe://warden.local/payments/api";

  @TempDir
  Path dir;
  int port;
  WardenServer server;
  String adminToken;
  AgentRuntime agent;
  WorkloadApiServer api;
  Path socket;

  @BeforeEach
  void startServer() throws Exception {
    port = freePort();
    startServerOnly(Map.of());
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    admin("POST", "/v1/apply", JSON.writeValueAsString(Map.of("documents", List.of(Map.of("kind", "Workload", "spec",
        Map.of("spiffeId", WORKLOAD, "selectors", List.of("unix:uid=" + uid), "owner", "payments@example.org",
            "nodeSelectors", List.of("node:pool=test")))))));
    socket = dir.resolve("agent/workload.sock");
  }

  void startServerOnly(Map<String, String> extra) {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("server.port", Integer.toString(port));
    flags.put("server.dataDir", dir.resolve("server").toString());
    flags.putAll(extra);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    server = WardenServer.start(ConfigLoader.load(null, Map.of(), flags), Clock.systemUTC(),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    Matcher m = Pattern.compile("(wdn_[0-9a-f]+_[A-Za-z0-9_-]+)").matcher(out.toString(StandardCharsets.UTF_8));
    if (m.find()) {
      adminToken = m.group(1);
    }
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
    if (agent != null) {
      agent.close();
    }
    if (server != null) {
      server.close();
    }
  }

  static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  JsonNode admin(String method, String path, String body) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Bearer " + adminToken)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    return JSON.readTree(r.body());
  }

  void startAgent(String joinToken, List<FileSink> sinks) throws Exception {
    startAgent(joinToken, sinks, Clock.systemUTC());
  }

  void startAgent(String joinToken, List<FileSink> sinks, Clock clock) throws Exception {
    AgentOptions o = new AgentOptions("http://127.0.0.1:" + port, socket, dir.resolve("agent-data"), joinToken, null,
        Duration.ofMillis(200), Duration.ofSeconds(2), sinks);
    agent = new AgentRuntime(o, clock);
    agent.start();
    api = WorkloadApiServer.start(socket, agent);
  }

  String joinToken() throws Exception {
    return admin("POST", "/v1/agent-tokens", "{\"selectors\":[\"node:pool=test\"]}").get("token").asText();
  }

  DefaultX509Source x509Source() throws Exception {
    return DefaultX509Source.newSource(DefaultX509Source.X509SourceOptions.builder()
        .spiffeSocketPath("unix:" + socket).initTimeout(Duration.ofSeconds(10)).build());
  }

  @Test
  void javaSpiffeFetchesAndValidatesX509AndJwtSvidsFromTheAgent() throws Exception {
    startAgent(joinToken(), List.of());
    try (DefaultX509Source src = x509Source()) {
      X509Svid svid = src.getX509Svid();
      assertThat(svid.getSpiffeId().toString()).isEqualTo(WORKLOAD);
      X509Bundle bundle = src.getBundleForTrustDomain(svid.getSpiffeId().getTrustDomain());
      X509SvidValidator.verifyChain(svid.getChain(), bundle);
    }
    try (io.spiffe.workloadapi.JwtSource jwt = DefaultJwtSource.newSource(io.spiffe.workloadapi.JwtSourceOptions.builder()
        .spiffeSocketPath("unix:" + socket).initTimeout(Duration.ofSeconds(10)).build())) {
      JwtSvid s = jwt.fetchJwtSvid("https://ledger.example.org");
      assertThat(s.getSpiffeId().toString()).isEqualTo(WORKLOAD);
      JwtSvid validated = JwtSvid.parseAndValidate(s.getToken(), jwt, java.util.Set.of("https://ledger.example.org"));
      assertThat(validated.getSpiffeId().toString()).isEqualTo(WORKLOAD);
    }
  }

  @Test
  void fileSinkWritesSvidKeyBundleAndJwtAtomicallyWithAPrivateKeyFile() throws Exception {
    Path out = dir.resolve("sink");
    startAgent(joinToken(), List.of(new FileSink(dev.warden.core.model.SpiffeId.parse(WORKLOAD), out,
        List.of("https://ledger.example.org"), List.of("touch", "reloaded"))));
    assertThat(out.resolve("svid.pem")).exists();
    assertThat(Files.readString(out.resolve("svid.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("svid_key.pem"))))
        .isEqualTo("rw-------");
    assertThat(Files.readString(out.resolve("bundle.pem"))).contains("BEGIN CERTIFICATE");
    assertThat(Files.readString(out.resolve(FileSink.jwtFileName("https://ledger.example.org")))).contains(".");
    assertThat(out.resolve("reloaded")).exists();
  }

  @Test
  void whenTheServerIsDownTheAgentKeepsServingAndRecoversWhenItReturns() throws Exception {
    startAgent(joinToken(), List.of());
    try (DefaultX509Source src = x509Source()) {
      String before = src.getX509Svid().getLeaf().getSerialNumber().toString();
      server.close();
      server = null;
      Thread.sleep(600);  // several failed cycles
      assertThat(src.getX509Svid().getLeaf().getSerialNumber().toString()).isEqualTo(before);
      try (DefaultX509Source second = x509Source()) {
        assertThat(second.getX509Svid().getSpiffeId().toString()).isEqualTo(WORKLOAD);
      }
      startServerOnly(Map.of());
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      java.time.Instant stale = agent.lastSuccess();
      while (agent.lastSuccess() == stale && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(agent.lastSuccess()).isAfter(stale);
    }
  }

  @Test
  void svidsAreRenewedAtHalfLifeWithAFreshKeyAndClientsSeeTheNewOne() throws Exception {
    dev.warden.testkit.MutableClock clock = dev.warden.testkit.MutableClock.startingAt(java.time.Instant.now());
    Path out = dir.resolve("sink");
    startAgent(joinToken(), List.of(new FileSink(dev.warden.core.model.SpiffeId.parse(WORKLOAD), out, List.of(),
        List.of())), clock);
    try (DefaultX509Source src = x509Source()) {
      X509Svid first = src.getX509Svid();
      String firstPem = Files.readString(out.resolve("svid.pem"));
      clock.advance(Duration.ofMinutes(31));  // past half of the 1 h SVID
      agent.cycle();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (src.getX509Svid().getLeaf().getSerialNumber().equals(first.getLeaf().getSerialNumber())
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      X509Svid second = src.getX509Svid();
      assertThat(second.getLeaf().getSerialNumber()).isNotEqualTo(first.getLeaf().getSerialNumber());
      assertThat(second.getLeaf().getPublicKey()).isNotEqualTo(first.getLeaf().getPublicKey());
      assertThat(Files.readString(out.resolve("svid.pem"))).isNotEqualTo(firstPem);
    }
  }

  @Test
  void aRestartedAgentResumesItsSessionWithoutANewJoinToken() throws Exception {
    startAgent(joinToken(), List.of());
    String id = agent.agentId().toString();
    api.close();
    agent.close();
    startAgent(null, List.of());
    assertThat(agent.agentId().toString()).isEqualTo(id);
    try (DefaultX509Source src = x509Source()) {
      assertThat(src.getX509Svid().getSpiffeId().toString()).isEqualTo(WORKLOAD);
    }
  }
}
