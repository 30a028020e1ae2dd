package dev.warden.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.agent.workloadapi.WorkloadApiServer;
import dev.warden.agent.workloadapi.proto.JWTBundlesRequest;
import dev.warden.agent.workloadapi.proto.JWTBundlesResponse;
import dev.warden.agent.workloadapi.proto.JWTSVIDRequest;
import dev.warden.agent.workloadapi.proto.SpiffeWorkloadAPIGrpc;
import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import dev.warden.testkit.TestOidcIssuer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.AuthorityNotFoundException;
import io.spiffe.exception.JwtSvidException;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.svid.jwtsvid.JwtSvid;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.svid.x509svid.X509SvidValidator;
import io.spiffe.workloadapi.DefaultJwtSource;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.JwtSource;
import io.spiffe.workloadapi.JwtSourceOptions;
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
  static final String LEDGER = "https://ledger.example.org";
  static final String VAULT = "https://vault.example.org";

  @TempDir Path dir;
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
    admin(
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
                            WORKLOAD,
                            "selectors",
                            List.of("unix:uid=" + uid),
                            "owner",
                            "payments@example.org",
                            "nodeSelectors",
                            List.of("node:pool=test"))),
                    Map.of(
                        "kind",
                        "Resource",
                        "metadata",
                        Map.of("name", "ledger"),
                        "spec",
                        Map.of("audience", LEDGER)),
                    Map.of(
                        "kind",
                        "Resource",
                        "metadata",
                        Map.of("name", "vault"),
                        "spec",
                        Map.of("audience", VAULT)),
                    Map.of(
                        "kind",
                        "AccessPolicy",
                        "metadata",
                        Map.of("name", "api-to-ledger"),
                        "spec",
                        Map.of(
                            "workloads",
                            Map.of("spiffeIds", List.of(WORKLOAD)),
                            "resources",
                            List.of("ledger")))))));
    socket = dir.resolve("agent/workload.sock");
  }

  void startServerOnly(Map<String, String> extra) {
    startServerOnly(extra, Clock.systemUTC());
  }

  void startServerOnly(Map<String, String> extra, Clock clock) {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("server.port", Integer.toString(port));
    flags.put("server.dataDir", dir.resolve("server").toString());
    flags.putAll(extra);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    server =
        WardenServer.start(
            ConfigLoader.load(null, Map.of(), flags),
            clock,
            new PrintStream(out, true, StandardCharsets.UTF_8));
    Matcher m =
        Pattern.compile("(wdn_[0-9a-f]+_[A-Za-z0-9_-]+)")
            .matcher(out.toString(StandardCharsets.UTF_8));
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

  static int freePort() {
    return dev.warden.testkit.FreePorts.next();
  }

  JsonNode admin(String method, String path, String body) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + adminToken)
                    .header("Content-Type", "application/json")
                    .method(
                        method,
                        body == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    return JSON.readTree(r.body());
  }

  void startAgent(String joinToken, List<FileSink> sinks) throws Exception {
    startAgent(joinToken, sinks, Clock.systemUTC());
  }

  void startAgent(String joinToken, List<FileSink> sinks, Clock clock) throws Exception {
    startAgent(joinToken, sinks, clock, "http://127.0.0.1:" + port);
  }

  void startAgent(String joinToken, List<FileSink> sinks, Clock clock, String serverUrl)
      throws Exception {
    AgentOptions o =
        new AgentOptions(
            serverUrl,
            socket,
            dir.resolve("agent-data"),
            joinToken,
            null,
            Duration.ofMillis(200),
            Duration.ofSeconds(2),
            sinks);
    agent = new AgentRuntime(o, clock);
    agent.start();
    api = WorkloadApiServer.start(socket, agent);
  }

  String joinToken() throws Exception {
    return admin("POST", "/v1/agent-tokens", "{\"selectors\":[\"node:pool=test\"]}")
        .get("token")
        .asText();
  }

  DefaultX509Source x509Source() throws Exception {
    return DefaultX509Source.newSource(
        DefaultX509Source.X509SourceOptions.builder()
            .spiffeSocketPath("unix:" + socket)
            .initTimeout(Duration.ofSeconds(10))
            .build());
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
    try (io.spiffe.workloadapi.JwtSource jwt =
        DefaultJwtSource.newSource(
            io.spiffe.workloadapi.JwtSourceOptions.builder()
                .spiffeSocketPath("unix:" + socket)
                .initTimeout(Duration.ofSeconds(10))
                .build())) {
      JwtSvid s = jwt.fetchJwtSvid("https://ledger.example.org");
      assertThat(s.getSpiffeId().toString()).isEqualTo(WORKLOAD);
      JwtSvid validated =
          JwtSvid.parseAndValidate(
              s.getToken(), jwt, java.util.Set.of("https://ledger.example.org"));
      assertThat(validated.getSpiffeId().toString()).isEqualTo(WORKLOAD);
    }
  }

  @Test
  void fileSinkWritesSvidKeyBundleAndJwtAtomicallyWithAPrivateKeyFile() throws Exception {
    Path out = dir.resolve("sink");
    startAgent(
        joinToken(),
        List.of(
            new FileSink(
                dev.warden.core.model.SpiffeId.parse(WORKLOAD),
                out,
                List.of("https://ledger.example.org"),
                List.of("touch", "reloaded"))));
    assertThat(out.resolve("svid.pem")).exists();
    assertThat(Files.readString(out.resolve("svid.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(out.resolve("svid_key.pem"))))
        .isEqualTo("rw-------");
    assertThat(Files.readString(out.resolve("bundle.pem"))).contains("BEGIN CERTIFICATE");
    assertThat(Files.readString(out.resolve(FileSink.jwtFileName("https://ledger.example.org"))))
        .contains(".");
    assertThat(out.resolve("reloaded")).exists();
  }

  @Test
  void whenTheServerIsDownTheAgentKeepsServingAndRecoversWhenItReturns() throws Exception {
    startAgent(joinToken(), List.of());
    try (DefaultX509Source src = x509Source()) {
      String before = src.getX509Svid().getLeaf().getSerialNumber().toString();
      server.close();
      server = null;
      Thread.sleep(600); // several failed cycles
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
    dev.warden.testkit.MutableClock clock =
        dev.warden.testkit.MutableClock.startingAt(java.time.Instant.now());
    Path out = dir.resolve("sink");
    startAgent(
        joinToken(),
        List.of(
            new FileSink(
                dev.warden.core.model.SpiffeId.parse(WORKLOAD), out, List.of(), List.of())),
        clock);
    try (DefaultX509Source src = x509Source()) {
      X509Svid first = src.getX509Svid();
      String firstPem = Files.readString(out.resolve("svid.pem"));
      clock.advance(Duration.ofMinutes(31)); // past half of the 1 h SVID
      agent.cycle();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (src.getX509Svid().getLeaf().getSerialNumber().equals(first.getLeaf().getSerialNumber())
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      X509Svid second = src.getX509Svid();
      assertThat(second.getLeaf().getSerialNumber())
          .isNotEqualTo(first.getLeaf().getSerialNumber());
      assertThat(second.getLeaf().getPublicKey()).isNotEqualTo(first.getLeaf().getPublicKey());
      assertThat(Files.readString(out.resolve("svid.pem"))).isNotEqualTo(firstPem);
    }
  }

  @Test
  void anSvidTheServerSendsForAnIdTheAgentDidNotAskAboutIsIgnoredAndTheOthersAreKept()
      throws Exception {
    String foreign = "spiffe://warden.local/someone/else";
    Path foreignSink = dir.resolve("foreign-sink");
    try (ForeignSvidFront front = ForeignSvidFront.inFrontOf(port, foreign)) {
      startAgent(
          joinToken(),
          List.of(
              new FileSink(
                  dev.warden.core.model.SpiffeId.parse(foreign),
                  foreignSink,
                  List.of(),
                  List.of())),
          Clock.systemUTC(),
          front.url());

      assertThat(front.foreignAnswers()).as("the foreign SVID was sent").isPositive();
      AgentRuntime.Health health = agent.health();
      assertThat(health.valid()).as("the SVID asked for is kept").isEqualTo(1);
      assertThat(health.missing()).isZero();
      assertThat(agent.lastSuccess()).as("the cycle completed").isNotNull();
      assertThat(foreignSink.resolve("svid.pem"))
          .as("nothing is cached, nor written, for an id the agent did not ask about")
          .doesNotExist();
      try (DefaultX509Source src = x509Source()) {
        assertThat(src.getX509Svid().getSpiffeId().toString()).isEqualTo(WORKLOAD);
      }
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

  JwtSource jwtSource() throws Exception {
    return DefaultJwtSource.newSource(
        JwtSourceOptions.builder()
            .spiffeSocketPath("unix:" + socket)
            .initTimeout(Duration.ofSeconds(10))
            .build());
  }

  /**
   * A raw Workload API client, for what java-spiffe's wrappers hide (status codes, bundle bytes).
   */
  <T> T withWorkloadApi(
      java.util.function.Function<SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub, T> call) {
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(group)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .build();
    try {
      Metadata h = new Metadata();
      h.put(Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER), "true");
      return call.apply(
          SpiffeWorkloadAPIGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h)));
    } finally {
      channel.shutdownNow();
      group.shutdownGracefully();
    }
  }

  @Test
  void aJwtSvidForAnAudienceNoPolicyGrantsIsPermissionDeniedAndAudited() throws Exception {
    startAgent(joinToken(), List.of());

    assertThatThrownBy(
            () ->
                withWorkloadApi(
                    s -> s.fetchJWTSVID(JWTSVIDRequest.newBuilder().addAudience(VAULT).build())))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription()).contains("no_matching_policy");
            });
    JsonNode ev = admin("GET", "/v1/audit?limit=1", null).path("events").path(0);
    assertThat(ev.path("type").asText()).isEqualTo("svid.denied");
    assertThat(ev.path("reason").asText()).isEqualTo("no_matching_policy");
    assertThat(ev.path("resource").asText()).isEqualTo("vault");
    try (JwtSource jwt = jwtSource()) {
      assertThat(jwt.fetchJwtSvid(LEDGER).getAudience())
          .as("a granted audience still works")
          .containsExactly(LEDGER);
    }
  }

  @Test
  void javaSpiffeRefusesAWardenAccessTokenAsAJwtSvid() throws Exception {
    try (TestOidcIssuer cluster =
        TestOidcIssuer.builder().audience("https://warden.local").path("/k8s").start()) {
      String api = "spiffe://warden.local/ns/payments/sa/api";
      admin(
          "POST",
          "/v1/apply",
          JSON.writeValueAsString(
              Map.of(
                  "documents",
                  List.of(
                      Map.of(
                          "kind",
                          "TrustProvider",
                          "metadata",
                          Map.of("name", "cluster"),
                          "spec",
                          Map.of(
                              "type",
                              "kubernetes",
                              "issuer",
                              cluster.issuer(),
                              "audiences",
                              List.of("https://warden.local"),
                              "algorithms",
                              List.of("RS256"))),
                      Map.of(
                          "kind",
                          "Workload",
                          "spec",
                          Map.of(
                              "spiffeId",
                              api,
                              "selectors",
                              List.of("k8s:ns=payments", "k8s:sa=api"),
                              "owner",
                              "payments@example.org")),
                      Map.of(
                          "kind",
                          "AccessPolicy",
                          "metadata",
                          Map.of("name", "k8s-api-to-ledger"),
                          "spec",
                          Map.of(
                              "workloads",
                              Map.of("spiffeIds", List.of(api)),
                              "resources",
                              List.of("ledger")))))));
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                      .header("Content-Type", "application/x-www-form-urlencoded")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "grant_type=client_credentials&client_assertion_type="
                                  + "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&resource="
                                  + LEDGER
                                  + "&client_assertion="
                                  + cluster.kubernetesToken("payments", "api", "api-1")))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      String accessToken = JSON.readTree(r.body()).path("access_token").asText();
      startAgent(joinToken(), List.of());

      try (JwtSource jwt = jwtSource()) {
        assertThatThrownBy(
                () -> JwtSvid.parseAndValidate(accessToken, jwt, java.util.Set.of(LEDGER)))
            .isInstanceOfAny(JwtSvidException.class, AuthorityNotFoundException.class);
        // nor with a validator that ignores typ: the access token's key is not a JWT authority
        String kid = com.nimbusds.jwt.SignedJWT.parse(accessToken).getHeader().getKeyID();
        assertThatThrownBy(
                () ->
                    jwt.getBundleForTrustDomain(TrustDomain.parse("warden.local"))
                        .findJwtAuthority(kid))
            .isInstanceOf(AuthorityNotFoundException.class);
      }
    }
  }

  @Test
  void fetchJwtBundlesServesAPlainJwksThatStandardConsumersCanSelectAKeyFrom() throws Exception {
    startAgent(joinToken(), List.of());
    String svid;
    try (JwtSource jwt = jwtSource()) {
      svid = jwt.fetchJwtSvid(LEDGER).getToken();
    }

    JWTBundlesResponse r =
        withWorkloadApi(s -> s.fetchJWTBundles(JWTBundlesRequest.getDefaultInstance()).next());

    String json = r.getBundlesOrThrow("spiffe://warden.local").toStringUtf8();
    JsonNode doc = JSON.readTree(json);
    assertThat(doc.properties()).extracting(Map.Entry::getKey).containsExactly("keys");
    assertThat(doc.get("keys"))
        .isNotEmpty()
        .allSatisfy(
            k -> {
              assertThat(k.has("use"))
                  .as("use belongs to the trust-domain bundle document only: " + k)
                  .isFalse();
              assertThat(k.has("d")).as("public keys only").isFalse();
            });
    // select the key the way a standard JWKS consumer (Node jose's createLocalJWKSet) does: by kid,
    // key type and alg, skipping any key whose use is present and not "sig"
    com.nimbusds.jwt.SignedJWT t = com.nimbusds.jwt.SignedJWT.parse(svid);
    List<com.nimbusds.jose.jwk.JWK> candidates =
        new com.nimbusds.jose.jwk.JWKSelector(
                new com.nimbusds.jose.jwk.JWKMatcher.Builder()
                    .keyID(t.getHeader().getKeyID())
                    .keyType(com.nimbusds.jose.jwk.KeyType.EC)
                    .keyUses(com.nimbusds.jose.jwk.KeyUse.SIGNATURE, null)
                    .algorithms(com.nimbusds.jose.JWSAlgorithm.ES256, null)
                    .build())
            .select(com.nimbusds.jose.jwk.JWKSet.parse(json));
    assertThat(candidates).hasSize(1);
    assertThat(
            t.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(candidates.getFirst().toECKey())))
        .isTrue();
  }

  /** Starts {@link AgentProcessMain} and returns once it serves; its output goes to {@code log}. */
  Process agentProcess(String joinToken, Path log) throws Exception {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                cp,
                AgentProcessMain.class.getName(),
                "http://127.0.0.1:" + port,
                socket.toString(),
                dir.resolve("agent-data").toString(),
                joinToken == null ? "-" : joinToken)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.readString(log).contains("serving")) {
      assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
      assertThat(System.nanoTime())
          .as("the agent serves: %s", Files.readString(log))
          .isLessThan(deadline);
      Thread.sleep(50);
    }
    return p;
  }

  @Test
  void
      aWorkloadConnectedWhileTheAgentIsKilledWithSigkillGetsAnSvidFromTheRestartedAgentWithinSeconds()
          throws Exception {
    String join = joinToken();
    Process first = agentProcess(join, dir.resolve("agent-1.log"));
    Process second = null;
    try (DefaultX509Source src = x509Source()) {
      java.math.BigInteger before = src.getX509Svid().getLeaf().getSerialNumber();
      first.destroyForcibly(); // SIGKILL: the socket is left behind, the stream to the client just
      // breaks
      assertThat(first.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      long killedAt = System.nanoTime();
      second =
          agentProcess(null, dir.resolve("agent-2.log")); // resumes its session: no new join token
      long servingAt = System.nanoTime();
      long deadline = servingAt + Duration.ofSeconds(30).toNanos();
      while (src.getX509Svid().getLeaf().getSerialNumber().equals(before)) {
        assertThat(System.nanoTime())
            .as("the connected client got the restarted agent's SVID")
            .isLessThan(deadline);
        Thread.sleep(50);
      }
      long gotAt = System.nanoTime();
      X509Svid after = src.getX509Svid();
      assertThat(after.getSpiffeId().toString()).isEqualTo(WORKLOAD);
      X509SvidValidator.verifyChain(
          after.getChain(), src.getBundleForTrustDomain(after.getSpiffeId().getTrustDomain()));
      long reconnectMs = (gotAt - servingAt) / 1_000_000;
      System.out.println(
          "AgentEndToEndTest kill -9: agent down "
              + (servingAt - killedAt) / 1_000_000
              + " ms (JVM start); the connected java-spiffe client had a new SVID "
              + reconnectMs
              + " ms after it served");
      assertThat(reconnectMs)
          .as("the client reconnects by itself within seconds")
          .isLessThan(15_000);
      try (DefaultX509Source fresh = x509Source()) {
        assertThat(fresh.getX509Svid().getSpiffeId().toString()).isEqualTo(WORKLOAD);
      }
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroyForcibly();
        second.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }

  static HttpResponse<String> get(AgentStatus status, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + status.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  void await(java.util.concurrent.Callable<Boolean> condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.call()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void
      whenTheServerIsGoneLongerThanAnSvidLifetimeTheAgentServesCachedSvidsUntilTheyExpireSaysSoAndRecoversByItself()
          throws Exception {
    dev.warden.testkit.MutableClock clock =
        dev.warden.testkit.MutableClock.startingAt(java.time.Instant.now());
    server.close();
    startServerOnly(Map.of(), clock); // the same installation, on the test's clock
    try (TestOidcIssuer k8s = TestOidcIssuer.builder().audience("warden").clock(clock).start()) {
      admin(
          "POST",
          "/v1/apply",
          JSON.writeValueAsString(
              Map.of(
                  "documents",
                  List.of(
                      Map.of(
                          "kind",
                          "TrustProvider",
                          "metadata",
                          Map.of("name", "cluster"),
                          "spec",
                          Map.of(
                              "type",
                              "kubernetes",
                              "issuer",
                              k8s.issuer(),
                              "audiences",
                              List.of("warden"),
                              "algorithms",
                              List.of("RS256"),
                              "nodeAttestation",
                              true)),
                      Map.of(
                          "kind",
                          "Workload",
                          "spec",
                          Map.of(
                              "spiffeId",
                              WORKLOAD,
                              "selectors",
                              List.of(
                                  "unix:uid="
                                      + Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                              "owner",
                              "payments@example.org",
                              "nodeSelectors",
                              List.of("k8s:ns=warden-system", "k8s:sa=warden-agent")))))));
      // a projected service-account token, as the kubelet keeps it fresh in the agent's pod
      Path token = dir.resolve("agent-token");
      Files.writeString(token, k8s.kubernetesToken("warden-system", "warden-agent", "agent-0"));
      agent =
          new AgentRuntime(
              new AgentOptions(
                  "http://127.0.0.1:" + port,
                  socket,
                  dir.resolve("agent-data"),
                  null,
                  token,
                  Duration.ofMillis(200),
                  Duration.ofSeconds(1),
                  List.of()),
              clock);
      agent.start();
      api = WorkloadApiServer.start(socket, agent);
      try (AgentStatus status =
              AgentStatus.start(new java.net.InetSocketAddress("127.0.0.1", 0), agent);
          DefaultX509Source src = x509Source()) {
        java.math.BigInteger first = src.getX509Svid().getLeaf().getSerialNumber();
        assertThat(JSON.readTree(get(status, "/readyz").body()).path("condition").asText())
            .isEqualTo("synced");

        server.close();
        server = null;
        await(
            () ->
                JSON.readTree(get(status, "/readyz").body())
                    .path("condition")
                    .asText()
                    .equals("serving_cached"),
            "the agent says it serves cached SVIDs");
        HttpResponse<String> cached = get(status, "/readyz");
        assertThat(cached.statusCode())
            .as("still ready: every workload has its SVID")
            .isEqualTo(200);
        assertThat(JSON.readTree(cached.body()).path("message").asText())
            .contains("unreachable", "cached");
        assertThat(get(status, "/metrics").body())
            .contains("warden_agent_server_reachable 0", "warden_agent_svids{state=\"valid\"} 1");
        try (DefaultX509Source second = x509Source()) {
          assertThat(second.getX509Svid().getLeaf().getSerialNumber())
              .as("a new client gets the cached SVID")
              .isEqualTo(first);
        }

        clock.advance(Duration.ofMinutes(61)); // past the 1 h SVID, and the agent's own session
        HttpResponse<String> expired = get(status, "/readyz");
        assertThat(expired.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(expired.body()).path("condition").asText()).isEqualTo("expired");
        assertThat(JSON.readTree(expired.body()).path("message").asText()).contains("expired");
        assertThat(get(status, "/metrics").body())
            .contains("warden_agent_svids{state=\"missing\"} 1");
        assertThatThrownBy(
                () ->
                    withWorkloadApi(
                        stub ->
                            stub.fetchX509SVID(
                                    dev.warden.agent.workloadapi.proto.X509SVIDRequest
                                        .getDefaultInstance())
                                .next()))
            .as("an expired SVID is never served")
            .isInstanceOf(StatusRuntimeException.class)
            .satisfies(
                e ->
                    assertThat(((StatusRuntimeException) e).getStatus().getCode())
                        .isEqualTo(Status.Code.PERMISSION_DENIED));

        Files.writeString(token, k8s.kubernetesToken("warden-system", "warden-agent", "agent-0"));
        startServerOnly(Map.of(), clock);
        long back = System.nanoTime();
        await(
            () ->
                get(status, "/readyz").statusCode() == 200
                    && JSON.readTree(get(status, "/readyz").body())
                        .path("condition")
                        .asText()
                        .equals("synced"),
            "the agent recovers by itself once the server is back");
        await(
            () -> !src.getX509Svid().getLeaf().getSerialNumber().equals(first),
            "the connected client gets a new SVID");
        System.out.println(
            "AgentEndToEndTest outage past the SVID lifetime: synced and serving again "
                + (System.nanoTime() - back) / 1_000_000
                + " ms after the server came back");
        assertThat(get(status, "/metrics").body())
            .contains("warden_agent_server_reachable 1", "warden_agent_svids{state=\"missing\"} 0");
      }
    }
  }
}
