package dev.warden.agent.edge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.agent.runtime.AgentOptions;
import dev.warden.agent.runtime.AgentRuntime;
import dev.warden.agent.runtime.EdgeProxies;
import dev.warden.core.edge.ProxySpec;
import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import dev.warden.testkit.PrivatePostgres;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL proxy end to end, with nothing faked: a Warden server over HTTPS, the agent
 * attested with a join token, a private PostgreSQL that demands SCRAM over TLS, and unmodified
 * clients — {@code psql} on the agent's Unix socket and the PostgreSQL JDBC driver on loopback TCP
 * — that hold no password. The user they are logged in as was created by Warden for the workload;
 * revoking its lease ends the session.
 */
class PostgresProxyTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String WORKLOAD = "spiffe://warden.local/payments/api";

  @TempDir static Path dir;
  static PrivatePostgres db;
  static WardenServer server;
  static String adminToken;
  static String base;
  static HttpClient adminHttp;
  static AgentRuntime agent;
  static EdgeProxies edge;
  static Path socketDir;
  static int tcpPort;

  @BeforeAll
  static void start() throws Exception {
    if (!PrivatePostgres.available()) {
      if (System.getenv("CI") != null) {
        throw new AssertionError(
            "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (failing: CI is set)");
      }
      org.junit.jupiter.api.Assumptions.abort(
          "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin");
    }
    db = PrivatePostgres.start();
    db.psql(
        "CREATE ROLE warden_admin LOGIN CREATEROLE PASSWORD 'admin-pw'; GRANT pg_signal_backend TO warden_admin; "
            + "CREATE ROLE ledger_rw NOLOGIN; CREATE TABLE entries (id INT PRIMARY KEY, note TEXT); "
            + "INSERT INTO entries VALUES (1, 'first'); GRANT SELECT ON entries TO ledger_rw");
    int port = dev.warden.testkit.FreePorts.next();
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("server.port", Integer.toString(port));
    flags.put("server.dataDir", dir.resolve("server").toString());
    flags.put("tls.selfIssued", "true");
    flags.put("databases.reapInterval", "200ms");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    server =
        WardenServer.start(
            ConfigLoader.load(null, Map.of(), flags),
            Clock.systemUTC(),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    Matcher m =
        Pattern.compile("(wdn_[0-9a-f]+_[A-Za-z0-9_-]+)")
            .matcher(out.toString(StandardCharsets.UTF_8));
    assertThat(m.find()).isTrue();
    adminToken = m.group(1);
    base = "https://localhost:" + port;
    // trust the way an operator bootstraps it: the bundle fetched once, then only that is trusted
    JsonNode b =
        JSON.readTree(
            HttpClient.newBuilder()
                .sslContext(trustAll())
                .build()
                .send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/bundle")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    StringBuilder pem = new StringBuilder();
    for (JsonNode k : b.path("keys")) {
      if (k.path("use").asText().equals("x509-svid")) {
        pem.append("-----BEGIN CERTIFICATE-----\n")
            .append(k.path("x5c").get(0).asText())
            .append("\n-----END CERTIFICATE-----\n");
      }
    }
    Path serverCa = dir.resolve("server-ca.pem");
    Files.writeString(serverCa, pem);
    adminHttp = HttpClient.newBuilder().sslContext(trusting(serverCa)).build();

    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    // regression (Error Prone ImpossibleNullComparison): this was isMissingNode()).isNotNull(),
    // true of any boolean
    assertThat(
            admin("PUT", "/v1/target-secrets/ledger-admin", "{\"value\": \"admin-pw\"}")
                .path("name")
                .asText())
        .isEqualTo("ledger-admin");
    // Warden reaches the database encrypted; the resource cannot name a private CA file yet
    String dbUrl = "jdbc:postgresql://127.0.0.1:" + db.port() + "/postgres?sslmode=require";
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
                        Map.of("name", "ledger-db"),
                        "spec",
                        Map.of(
                            "audience",
                            "postgres://ledger",
                            "kind",
                            "postgres",
                            "database",
                            Map.of(
                                "url",
                                dbUrl,
                                "adminUser",
                                "warden_admin",
                                "adminPasswordSecret",
                                "ledger-admin",
                                "roles",
                                List.of("ledger_rw"),
                                "maxTtl",
                                "10m"))),
                    Map.of(
                        "kind",
                        "Resource",
                        "metadata",
                        Map.of("name", "other-db"),
                        "spec",
                        Map.of(
                            "audience",
                            "postgres://other",
                            "kind",
                            "postgres",
                            "database",
                            Map.of(
                                "url",
                                dbUrl,
                                "adminUser",
                                "warden_admin",
                                "adminPasswordSecret",
                                "ledger-admin",
                                "roles",
                                List.of("ledger_rw")))),
                    Map.of(
                        "kind",
                        "Resource",
                        "metadata",
                        Map.of("name", "alias-db"),
                        "spec",
                        Map.of(
                            "audience",
                            "postgres://alias",
                            "kind",
                            "postgres",
                            "database",
                            Map.of(
                                "url",
                                dbUrl.replace("127.0.0.1", "127.0.0.2"),
                                "adminUser",
                                "warden_admin",
                                "adminPasswordSecret",
                                "ledger-admin",
                                "roles",
                                List.of("ledger_rw")))),
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
                            List.of("ledger-db", "alias-db"),
                            "credentialKind",
                            "database_user",
                            "maxTtl",
                            "5m"))))));
    String join =
        admin("POST", "/v1/agent-tokens", "{\"selectors\":[\"node:pool=test\"]}")
            .get("token")
            .asText();
    AgentOptions o =
        new AgentOptions(
            base,
            dir.resolve("agent/workload.sock"),
            dir.resolve("agent-data"),
            join,
            null,
            Duration.ofMillis(500),
            Duration.ofSeconds(2),
            List.of(),
            serverCa);
    agent = new AgentRuntime(o, Clock.systemUTC());
    agent.start();
    socketDir = dir.resolve("pg");
    tcpPort = freePort();
    Path wrongCa = dir.resolve("wrong-ca.pem");
    Files.writeString(
        wrongCa, dev.warden.testkit.TestTlsCertificates.newCa("not the database's CA").pem());
    edge =
        EdgeProxies.start(
            List.of(
                ProxySpec.parse(
                    "postgres:resource=ledger-db,listen=unix:"
                        + socketDir.resolve(".s.PGSQL.5432")
                        + ",upstream-ca="
                        + db.caFile()),
                ProxySpec.parse(
                    "postgres:resource=ledger-db,listen=127.0.0.1:"
                        + tcpPort
                        + ",upstream-ca="
                        + db.caFile()),
                ProxySpec.parse(
                    "postgres:resource=other-db,listen=unix:"
                        + dir.resolve("other/.s.PGSQL.5432")
                        + ",upstream-ca="
                        + db.caFile()),
                ProxySpec.parse(
                    "postgres:resource=ledger-db,listen=unix:"
                        + dir.resolve("wrongca/.s.PGSQL.5432")
                        + ",upstream-ca="
                        + wrongCa),
                ProxySpec.parse(
                    "postgres:resource=alias-db,listen=unix:"
                        + dir.resolve("alias-full/.s.PGSQL.5432")
                        + ",upstream-ca="
                        + db.caFile()),
                ProxySpec.parse(
                    "postgres:resource=alias-db,listen=unix:"
                        + dir.resolve("alias-ca/.s.PGSQL.5432")
                        + ",upstream-ca="
                        + db.caFile()
                        + ",upstream-tls=verify-ca")),
            o,
            agent,
            Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {edge, agent, server, db}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  @Test
  void psqlOnTheUnixSocketWithNoPasswordIsLoggedInAsAUserWardenCreatedOverVerifiedTls()
      throws Exception {
    Result r =
        psql(
            socketDir,
            "SELECT current_user || '|' || (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())"
                + " || '|' || (SELECT note FROM entries WHERE id = 1)");
    assertThat(r.exit()).as(r.output()).isZero();
    String[] f = r.output().strip().split("\\|");
    assertThat(f[0]).startsWith("w_").contains("payments");
    assertThat(f[1]).as("the agent reached the database over TLS").isEqualTo("true");
    assertThat(f[2]).isEqualTo("first");
    JsonNode leases = admin("GET", "/v1/database-leases?state=active", null);
    assertThat(leases.toString()).contains(f[0]);
  }

  @Test
  void
      eachConnectionIsInTheServersAuditLogWithTheAttestedCallerAndItsLeaseAndEachRefusalWithItsReason()
          throws Exception {
    Result ok = psql(socketDir, "SELECT current_user");
    assertThat(ok.exit()).as(ok.output()).isZero();
    String user = ok.output().strip();
    Result denied = psql(dir.resolve("other"), "SELECT 1");
    assertThat(denied.exit()).isNotZero();
    JsonNode proxied =
        awaitEvent(
            "connection.proxied", e -> user.equals(e.path("details").path("leaseId").asText()));
    assertThat(proxied.path("workload").asText()).isEqualTo(WORKLOAD);
    assertThat(proxied.path("resource").asText()).isEqualTo("ledger-db");
    assertThat(proxied.path("actor").asText()).startsWith("spiffe://warden.local/");
    assertThat(proxied.path("details").path("caller.path").asText()).contains("psql");
    assertThat(proxied.path("details").path("caller.pid").asText()).isNotEmpty();
    assertThat(proxied.path("details").path("listener").asText()).endsWith(".s.PGSQL.5432");
    assertThat(proxied.toString()).doesNotContain("password");
    JsonNode refused =
        awaitEvent("connection.refused", e -> "other-db".equals(e.path("resource").asText()));
    assertThat(refused.path("reason").asText()).isEqualTo("denied");
    assertThat(refused.path("details").path("message").asText()).contains("access_denied");
  }

  @Test
  void overHttpsTheAgentAuthenticatesWithItsSvidAndAnotherCertificateIsRefused() throws Exception {
    AgentIdentity agent = agentIdentity();
    java.security.PrivateKey key = agent.key();
    List<X509Certificate> chain = agent.chain();
    // no session token: the agent's X.509-SVID alone
    HttpResponse<String> ok =
        mtls(chain, key)
            .send(
                HttpRequest.newBuilder(URI.create(base + "/v1/agent/sync?since=0")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body()).contains(WORKLOAD);
    // a certificate from another CA, with the same key: not an agent of this trust domain
    var other =
        dev.warden.testkit.TestTlsCertificates.newCa("impostor").server(List.of("localhost"));
    HttpResponse<String> refused =
        mtls(List.of(other.certificate()), other.keys().getPrivate())
            .send(
                HttpRequest.newBuilder(URI.create(base + "/v1/agent/sync?since=0")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(401);
  }

  /** The agent's own SVID and key, as it persisted them. */
  record AgentIdentity(List<X509Certificate> chain, java.security.PrivateKey key) {}

  static AgentIdentity agentIdentity() throws Exception {
    JsonNode state = JSON.readTree(Files.readString(dir.resolve("agent-data/agent-state.json")));
    java.security.PrivateKey key =
        java.security.KeyFactory.getInstance("EC")
            .generatePrivate(
                new java.security.spec.PKCS8EncodedKeySpec(
                    Base64.getDecoder().decode(state.path("key_pkcs8").asText())));
    List<X509Certificate> chain = new ArrayList<>();
    for (JsonNode n : state.path("svid_chain")) {
      chain.add(
          (X509Certificate)
              java.security.cert.CertificateFactory.getInstance("X.509")
                  .generateCertificate(
                      new java.io.ByteArrayInputStream(Base64.getDecoder().decode(n.asText()))));
    }
    return new AgentIdentity(chain, key);
  }

  static HttpClient mtls(List<X509Certificate> chain, java.security.PrivateKey key)
      throws Exception {
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("k", key, new char[0], chain.toArray(new X509Certificate[0]));
    javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
    kmf.init(ks, new char[0]);
    java.security.KeyStore ts = java.security.KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    int i = 0;
    for (var c :
        java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificates(Files.newInputStream(dir.resolve("server-ca.pem")))) {
      ts.setCertificateEntry("ca" + i++, c);
    }
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ctx).build();
  }

  @Test
  void anAgentCannotWriteConnectionEventsAboutAWorkloadItMayNotServe() throws Exception {
    AgentIdentity agent = agentIdentity();
    java.security.PrivateKey key = agent.key();
    List<X509Certificate> chain = agent.chain();
    String body =
        JSON.writeValueAsString(
            Map.of(
                "events",
                List.of(
                    Map.of(
                        "id",
                        "e1",
                        "at",
                        "2030-01-01T00:00:00Z",
                        "outcome",
                        "proxied",
                        "protocol",
                        "postgres",
                        "listener",
                        "x",
                        "resource",
                        "ledger-db",
                        "workload",
                        "spiffe://warden.local/someone/else"))));
    // the agent itself (its SVID over mTLS), writing about a workload it does not serve
    HttpResponse<String> r =
        mtls(chain, key)
            .send(
                HttpRequest.newBuilder(URI.create(base + "/v1/agent/connections"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    assertThat(admin("GET", "/v1/audit?type=connection.proxied&limit=500", null).toString())
        .doesNotContain("someone/else");
  }

  @Test
  void overHttpsTheAgentSessionTokenAloneIsRefused() throws Exception {
    String session =
        JSON.readTree(Files.readString(dir.resolve("agent-data/agent-state.json")))
            .path("session_token")
            .asText();
    HttpResponse<String> r =
        adminHttp.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/agent/sync?since=0"))
                .header("Authorization", "Bearer " + session)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
  }

  static JsonNode awaitEvent(String type, java.util.function.Predicate<JsonNode> match)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      for (JsonNode e :
          admin("GET", "/v1/audit?type=" + type + "&limit=200", null).path("events")) {
        if (match.test(e)) {
          return e;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no " + type + " event arrived in the audit log");
  }

  @Test
  void jdbcOverLoopbackTcpGetsTheSameCachedCredentialAndTheNextConnectionDoesNotAskTheServer()
      throws Exception {
    String first;
    try (Connection c = jdbc();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_user")) {
      rs.next();
      first = rs.getString(1);
    }
    long leasesBefore =
        admin("GET", "/v1/database-leases?state=active", null).path("leases").size();
    for (int i = 0; i < 5; i++) {
      try (Connection c = jdbc();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT current_user")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo(first);
      }
    }
    assertThat(admin("GET", "/v1/database-leases?state=active", null).path("leases").size())
        .isEqualTo(leasesBefore);
  }

  @Test
  void overTcpTheClientCanVerifyTheAgentWithWardensBundleUsingSslmodeVerifyFull() throws Exception {
    Path bundle = dir.resolve("server-ca.pem");
    for (String host : List.of("127.0.0.1", "localhost")) {
      Properties p = new Properties();
      p.setProperty("user", "app");
      p.setProperty("sslmode", "verify-full");
      p.setProperty("sslrootcert", bundle.toString());
      try (Connection c =
              DriverManager.getConnection("jdbc:postgresql://" + host + ":" + tcpPort + "/app", p);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT current_user")) {
        rs.next();
        assertThat(rs.getString(1)).startsWith("w_");
      }
    }
    // PostgreSQL 17's direct TLS: no SSLRequest, a ClientHello with ALPN "postgresql" straight away
    Properties direct = new Properties();
    direct.setProperty("user", "app");
    direct.setProperty("sslmode", "verify-full");
    direct.setProperty("sslrootcert", bundle.toString());
    direct.setProperty("sslNegotiation", "direct");
    try (Connection c =
            DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + tcpPort + "/app", direct);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_user")) {
      rs.next();
      assertThat(rs.getString(1)).startsWith("w_");
    }
    Result r =
        run(
            List.of(
                "psql",
                "-X",
                "host=127.0.0.1 port="
                    + tcpPort
                    + " sslmode=verify-full sslrootcert="
                    + bundle
                    + " dbname=x",
                "-c",
                "\\conninfo"));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("SSL connection (protocol: TLSv1.3");
    // a client that trusts another CA refuses the agent: the certificate really is Warden's
    Path other = dir.resolve("other-ca.pem");
    Files.writeString(other, dev.warden.testkit.TestTlsCertificates.newCa("someone else").pem());
    Properties p = new Properties();
    p.setProperty("user", "app");
    p.setProperty("sslmode", "verify-full");
    p.setProperty("sslrootcert", other.toString());
    assertThatThrownBy(
            () -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + tcpPort + "/app", p))
        .isInstanceOf(SQLException.class);
  }

  @Test
  void directTlsWithoutAlpnPostgresqlIsRefused() throws Exception {
    try (javax.net.ssl.SSLSocket s =
        (javax.net.ssl.SSLSocket)
            trustAll().getSocketFactory().createSocket("127.0.0.1", tcpPort)) {
      s.setSoTimeout(10_000);
      s.startHandshake(); // no ALPN offered
      s.getOutputStream().write(PgMessages.startup(Map.of("user", "x")));
      byte[] reply = s.getInputStream().readAllBytes();
      assertThat(new String(reply, StandardCharsets.UTF_8)).contains("08P01").contains("ALPN");
    }
  }

  @Test
  void aProcessNoRegistrationMatchesIsRefusedWithTheReason() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "running a client as another user needs root");
    // over loopback TCP: the agent finds the process that owns the client's port, here one run as
    // nobody
    Result r =
        run(
            List.of(
                "runuser",
                "-u",
                "nobody",
                "--",
                "psql",
                "-X",
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(tcpPort),
                "-d",
                "x",
                "-Atc",
                "SELECT 1"));
    assertThat(r.exit()).isNotZero();
    assertThat(r.output())
        .as(r.output())
        .contains("no workload registered on this agent matches the calling process");
  }

  @Test
  void aResourceThePolicyDoesNotGrantIsRefusedWithTheServersReason() throws Exception {
    Result r = psql(dir.resolve("other"), "SELECT 1");
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("access_denied");
  }

  @Test
  void aDatabaseCertificateThatDoesNotChainToTheConfiguredCaIsRefusedAndNoPasswordIsSent()
      throws Exception {
    Result r = psql(dir.resolve("wrongca"), "SELECT 1");
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("TLS to the database").contains("failed");
  }

  @Test
  void verifyFullRefusesACertificateThatDoesNotNameTheDatabasesHostAndVerifyCaAcceptsIt()
      throws Exception {
    // the database's certificate names 127.0.0.1 and localhost; alias-db reaches it as 127.0.0.2
    Result full = psql(dir.resolve("alias-full"), "SELECT 1");
    assertThat(full.exit()).isNotZero();
    assertThat(full.output()).contains("TLS to the database at 127.0.0.2").contains("verify-full");
    Result ca = psql(dir.resolve("alias-ca"), "SELECT current_user");
    assertThat(ca.exit()).as(ca.output()).isZero();
    assertThat(ca.output()).startsWith("w_");
  }

  @Test
  void revokingTheLeaseEndsTheProxiedSessionAtTheDatabase() throws Exception {
    try (Connection c = jdbc();
        Statement s = c.createStatement()) {
      ResultSet rs = s.executeQuery("SELECT current_user");
      rs.next();
      String user = rs.getString(1);
      assertThat(admin("POST", "/v1/leases/" + user + ":revoke", "{}").toString()).contains(user);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      boolean ended = false;
      while (!ended && System.nanoTime() < deadline) {
        try {
          s.executeQuery("SELECT 1").close();
          Thread.sleep(100);
        } catch (SQLException e) {
          ended = true;
        }
      }
      assertThat(ended).as("the revoked user's session was ended").isTrue();
    }
    // the next connection may still be refused by the database (the revoked user was cached), but
    // the one after gets a new user: a revoked credential is not served until it is due
    String next = null;
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < 5 && next == null; i++) {
      try (Connection c = jdbc();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT current_user")) {
        rs.next();
        next = rs.getString(1);
      } catch (SQLException refusedOnce) {
        // the database refused the revoked user; the agent dropped it from its cache
        errors.add(refusedOnce.getMessage());
        Thread.sleep(200);
      }
    }
    assertThat(next)
        .as("a new user after the revoked one; refusals: %s", errors)
        .isNotNull()
        .startsWith("w_");
  }

  @Test
  void aClientThatClosesMidStartupLeavesTheProxyServingOthers() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", tcpPort));
      s.getOutputStream().write(ByteBuffer.allocate(6).putInt(40).putShort((short) 3).array());
    }
    try (Connection c = jdbc();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1")) {
      assertThat(rs.next()).isTrue();
    }
  }

  @Test
  void anOversizedStartupPacketGetsAProtocolErrorNotAHang() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", tcpPort));
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(ByteBuffer.allocate(8).putInt(1_000_000).putInt(196608).array());
      InputStream in = s.getInputStream();
      byte[] reply = in.readAllBytes();
      assertThat((char) reply[0]).isEqualTo('E');
      assertThat(new String(reply, StandardCharsets.UTF_8))
          .contains("08P01")
          .contains("invalid startup packet length");
    }
  }

  @Test
  void bytesPipelinedBeforeAuthenticationAreRefused() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", tcpPort));
      s.setSoTimeout(10_000);
      byte[] startup = PgMessages.startup(Map.of("user", "x"));
      byte[] query =
          PgMessages.typed((byte) 'Q', "DROP TABLE entries\0".getBytes(StandardCharsets.UTF_8));
      ByteBuffer both = ByteBuffer.allocate(startup.length + query.length).put(startup).put(query);
      s.getOutputStream().write(both.array());
      byte[] reply = s.getInputStream().readAllBytes();
      assertThat((char) reply[0]).isEqualTo('E');
      assertThat(new String(reply, StandardCharsets.UTF_8)).contains("before the server answered");
    }
    assertThat(db.psql("SELECT count(*) FROM entries")).isEqualTo("1");
  }

  // ---- helpers ----

  record Result(int exit, String output) {}

  static Connection jdbc() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "app"); // any name: the agent logs in as the workload's user
    p.setProperty("sslmode", "disable"); // loopback to the agent; the agent's way on is TLS
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + tcpPort + "/app", p);
  }

  static Result psql(Path socketDirectory, String sql) throws Exception {
    return run(
        List.of(
            "psql",
            "-X",
            "-h",
            socketDirectory.toString(),
            "-p",
            "5432",
            "-d",
            "anything",
            "-Atc",
            sql));
  }

  static Result run(List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("PGPASSWORD");
    pb.environment().put("PGCONNECT_TIMEOUT", "20");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  static JsonNode admin(String method, String path, String body) throws Exception {
    HttpResponse<String> r =
        adminHttp.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
    return JSON.readTree(r.body());
  }

  static int freePort() {
    return dev.warden.testkit.FreePorts.next();
  }

  static SSLContext trusting(Path pem) throws Exception {
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    for (var c :
        java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificates(Files.newInputStream(pem))) {
      ks.setCertificateEntry("ca" + i++, c);
    }
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  static SSLContext trustAll() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    return ctx;
  }
}
