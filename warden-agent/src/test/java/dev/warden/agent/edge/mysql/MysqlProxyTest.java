package dev.warden.agent.edge.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.agent.edge.EdgeFixture;
import dev.warden.agent.edge.Forwarder;
import dev.warden.core.edge.ProxySpec;
import java.io.DataInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MySQL proxy end to end, with nothing faked: a Warden server over HTTPS issuing MariaDB users
 * on the local MariaDB 10.11 (127.0.0.1:3306, mysql_native_password), the agent joined with a
 * token, and unmodified clients — the {@code mariadb} command-line client on the Unix socket and
 * loopback TCP, MariaDB Connector/J — that hold no password: they are logged in as the user Warden
 * issued.
 */
class MysqlProxyTest {
  static final String SUFFIX =
      UUID.randomUUID().toString().replace("-", "").substring(0, 8).toLowerCase(Locale.ROOT);
  static final String DB = "wt_db_" + SUFFIX;
  static final String ADMIN = "wt_admin_" + SUFFIX;
  static final String APP = "wt_app_" + SUFFIX;
  static final String PREFIX = "wm" + SUFFIX + "_";

  @TempDir static Path dir;
  static EdgeFixture warden;
  static Forwarder flaky;
  static Path socket;
  static int tcpPort;
  static int flakyPort;

  @BeforeAll
  static void start() throws Exception {
    try {
      root(
          "CREATE DATABASE " + DB,
          "CREATE TABLE " + DB + ".ledger (id INT PRIMARY KEY, amount INT)",
          "INSERT INTO " + DB + ".ledger VALUES (1, 100)",
          "CREATE ROLE " + APP,
          "GRANT SELECT ON " + DB + ".* TO " + APP,
          "CREATE USER " + ADMIN + "@'%' IDENTIFIED BY 'admin-pw'",
          "GRANT CREATE USER, PROCESS, CONNECTION ADMIN ON *.* TO " + ADMIN + "@'%'",
          "GRANT SELECT ON mysql.user TO " + ADMIN + "@'%'",
          "GRANT " + APP + " TO " + ADMIN + "@'%' WITH ADMIN OPTION");
    } catch (SQLException e) {
      Assumptions.abort("MariaDB is not reachable at 127.0.0.1:3306 as root: " + e.getMessage());
    }
    flaky = new Forwarder("127.0.0.1", 3306);
    warden = EdgeFixture.start(dir);
    warden.admin("PUT", "/v1/target-secrets/shop-admin", "{\"value\": \"admin-pw\"}");
    warden.apply(
        List.of(
            EdgeFixture.workload(),
            resource("shop-db", 3306),
            resource("other-db", 3306),
            resource("flaky-db", flaky.port()),
            Map.of(
                "kind",
                "AccessPolicy",
                "metadata",
                Map.of("name", "api-to-shop"),
                "spec",
                Map.of(
                    "workloads",
                    Map.of("spiffeIds", List.of(EdgeFixture.WORKLOAD)),
                    "resources",
                    List.of("shop-db", "flaky-db"),
                    "credentialKind",
                    "database_user",
                    "maxTtl",
                    "5m"))));
    socket = dir.resolve("mysql/shop.sock");
    tcpPort = EdgeFixture.freePort();
    flakyPort = EdgeFixture.freePort();
    warden.startAgent(
        List.of(
            ProxySpec.parse(
                "mysql:resource=shop-db,listen=unix:" + socket + ",upstream-tls=disable"),
            ProxySpec.parse(
                "mysql:resource=shop-db,listen=127.0.0.1:" + tcpPort + ",upstream-tls=disable"),
            ProxySpec.parse(
                "mysql:resource=other-db,listen=unix:"
                    + dir.resolve("mysql/other.sock")
                    + ",upstream-tls=disable"),
            ProxySpec.parse(
                "mysql:resource=flaky-db,listen=127.0.0.1:" + flakyPort + ",upstream-tls=disable"),
            ProxySpec.parse(
                "mysql:resource=shop-db,listen=unix:" + dir.resolve("mysql/tls.sock"))));
  }

  static Map<String, Object> resource(String name, int port) {
    return Map.of(
        "kind",
        "Resource",
        "metadata",
        Map.of("name", name),
        "spec",
        Map.of(
            "audience",
            "mariadb://" + name,
            "kind",
            "mariadb",
            "database",
            Map.of(
                "url",
                "jdbc:mariadb://127.0.0.1:" + port + "/" + DB,
                "adminUser",
                ADMIN,
                "adminPasswordSecret",
                "shop-admin",
                "roles",
                List.of(APP),
                "usernameTemplate",
                PREFIX + "{workload}_{random}",
                "maxTtl",
                "10m")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (warden != null) {
      warden.close();
    }
    if (flaky != null) {
      flaky.close();
    }
    try (Connection c = rootConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT User FROM mysql.user WHERE User LIKE '" + PREFIX + "%'")) {
      List<String> users = new java.util.ArrayList<>();
      while (rs.next()) {
        users.add(rs.getString(1));
      }
      for (String u : users) {
        root("DROP USER IF EXISTS '" + u + "'@'%'");
      }
    } catch (SQLException ignored) {
      // best effort
    }
    root(
        "DROP USER IF EXISTS " + ADMIN + "@'%'",
        "DROP ROLE IF EXISTS " + APP,
        "DROP DATABASE IF EXISTS " + DB);
  }

  @Test
  void theMariadbClientOverTcpWithNoPasswordIsTheUserWardenIssuedInTheResourcesDatabase()
      throws Exception {
    EdgeFixture.Result r =
        mariadb(
            List.of("-h", "127.0.0.1", "-P", Integer.toString(tcpPort), "-u", "app"),
            "SELECT CONCAT_WS('|', CURRENT_USER(), DATABASE(), (SELECT amount FROM ledger WHERE id = 1))");
    assertThat(r.exit()).as(r.output()).isZero();
    String[] f = r.output().strip().split("\\|");
    assertThat(f[0]).startsWith(PREFIX);
    assertThat(f[1]).isEqualTo(DB);
    assertThat(f[2]).isEqualTo("100");
    assertThat(warden.admin("GET", "/v1/database-leases?state=active", null).toString())
        .contains(f[0].substring(0, f[0].indexOf('@')));
  }

  @Test
  void eachConnectionIsInTheServersAuditLogWithTheCallerAndItsLease() throws Exception {
    EdgeFixture.Result r = mariadb(List.of("--socket=" + socket), "SELECT CURRENT_USER()");
    assertThat(r.exit()).as(r.output()).isZero();
    var proxied =
        warden.awaitEvent(
            "connection.proxied",
            e ->
                e.path("details").path("protocol").asText().equals("mysql")
                    && e.path("details").path("caller.path").asText().contains("mariadb"));
    assertThat(proxied.path("details").path("leaseId").asText()).isNotEmpty();
    assertThat(proxied.path("workload").asText()).isEqualTo(EdgeFixture.WORKLOAD);
  }

  @Test
  void theMariadbClientOnTheUnixSocketIsTheSameWorkloadsUser() throws Exception {
    EdgeFixture.Result r = mariadb(List.of("--socket=" + socket), "SELECT CURRENT_USER()");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output().strip()).startsWith(PREFIX);
  }

  @Test
  void connectorJWithAnyUserAndPasswordGetsTheIssuedUserAndItsOwnDatabaseWhenItNamesOne()
      throws Exception {
    try (Connection c = jdbc(DB);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT CURRENT_USER(), amount FROM ledger WHERE id = 1")) {
      rs.next();
      assertThat(rs.getString(1)).startsWith(PREFIX);
      assertThat(rs.getInt(2)).isEqualTo(100);
    }
    // the client's database wins over the resource's: the issued user's grants decide what it may
    // read
    try (Connection c = jdbc("information_schema");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("information_schema");
    }
    // prepared statements and several result sets: the flags negotiated for the two sides agree
    try (Connection c = jdbc(DB);
        var ps = c.prepareStatement("SELECT amount + ? FROM ledger WHERE id = ?")) {
      ps.setInt(1, 5);
      ps.setInt(2, 1);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(105);
      }
    }
  }

  @Test
  void aProcessNoRegistrationMatchesGetsAnAccessDeniedError() throws Exception {
    Assumptions.assumeTrue(EdgeFixture.root(), "running a client as another user needs root");
    EdgeFixture.Result r =
        EdgeFixture.run(
            List.of(
                "runuser",
                "-u",
                "nobody",
                "--",
                "mariadb",
                "--no-defaults",
                "-h",
                "127.0.0.1",
                "-P",
                Integer.toString(tcpPort),
                "-e",
                "SELECT 1"));
    assertThat(r.exit()).isNotZero();
    assertThat(r.output())
        .contains("ERROR 1045 (28000)")
        .contains("no workload registered on this agent matches the calling process");
  }

  @Test
  void aResourceThePolicyDoesNotGrantIsRefusedWithTheServersReason() throws Exception {
    EdgeFixture.Result r =
        mariadb(List.of("--socket=" + dir.resolve("mysql/other.sock")), "SELECT 1");
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("ERROR 1045 (28000)").contains("access_denied");
  }

  @Test
  void tlsToAServerWithoutTlsIsRefusedAndNoPasswordIsSent() throws Exception {
    EdgeFixture.Result r =
        mariadb(List.of("--socket=" + dir.resolve("mysql/tls.sock")), "SELECT 1");
    assertThat(r.exit()).isNotZero();
    assertThat(r.output())
        .contains("does not accept TLS, and this proxy requires it (upstream-tls=verify-full)");
  }

  @Test
  void theTargetDownGivesAnErrorNotAHang() throws Exception {
    EdgeFixture.Result ok =
        mariadb(List.of("-h", "127.0.0.1", "-P", Integer.toString(flakyPort)), "SELECT 1");
    assertThat(ok.exit()).as(ok.output()).isZero();
    flaky.close();
    long t0 = System.nanoTime();
    EdgeFixture.Result r =
        mariadb(List.of("-h", "127.0.0.1", "-P", Integer.toString(flakyPort)), "SELECT 1");
    assertThat(r.exit()).isNotZero();
    assertThat(r.output())
        .contains("ERROR 1429 (08001)")
        .contains("cannot connect to the target at 127.0.0.1:" + flaky.port());
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);
  }

  @Test
  void aClientThatClosesMidHandshakeLeavesTheProxyServing() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", tcpPort));
      s.setSoTimeout(15_000);
      packet(s.getInputStream());
      s.getOutputStream().write(new byte[] {50, 0, 0, 1, 0, 0}); // a response cut short
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", tcpPort)); // and one that says nothing at all
    }
    try (Connection c = jdbc(DB);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1")) {
      assertThat(rs.next()).isTrue();
    }
  }

  @Test
  void anOversizedGarbageOrTlsRequestingFirstPacketGetsAnErrPacket() throws Exception {
    assertThat(
            afterGreeting("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
        .contains("#08S01")
        .contains("is more than the 70000 allowed");
    assertThat(afterGreeting(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 1}))
        .contains("more than the 70000");
    // an SSLRequest: 32 bytes of fixed fields with CLIENT_SSL | PROTOCOL_41 set
    byte[] ssl = new byte[36];
    ssl[0] = 32;
    ssl[3] = 1;
    ssl[5] = (byte) 0x0a; // PROTOCOL_41 (0x200) | SSL (0x800), second byte of the flags
    assertThat(afterGreeting(ssl)).contains("TLS to the agent's proxy is not supported");
    byte[] short41 = {3, 0, 0, 1, 0, 2, 0};
    assertThat(afterGreeting(short41)).contains("ends early");
  }

  @Test
  void revokingTheLeaseEndsTheSessionAndTheNextConnectionGetsANewUser() throws Exception {
    try (Connection c = jdbc(DB);
        Statement s = c.createStatement()) {
      ResultSet rs = s.executeQuery("SELECT CURRENT_USER()");
      rs.next();
      String user = rs.getString(1).substring(0, rs.getString(1).indexOf('@'));
      assertThat(warden.admin("POST", "/v1/leases/" + user + ":revoke", "{}").toString())
          .contains(user);
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
      // the first login refused drops the cached credential, so a later connection gets a new user
      EdgeFixture.Result first =
          mariadb(
              List.of("-h", "127.0.0.1", "-P", Integer.toString(tcpPort)), "SELECT CURRENT_USER()");
      EdgeFixture.Result second =
          mariadb(
              List.of("-h", "127.0.0.1", "-P", Integer.toString(tcpPort)), "SELECT CURRENT_USER()");
      if (first.exit() != 0) { // MariaDB says 1045 or 1698 for a user that is gone
        assertThat(first.output())
            .contains("(28000): Warden: the target refused the user Warden issued (" + user);
      }
      assertThat(second.exit()).as(second.output()).isZero();
      assertThat(second.output().strip()).startsWith(PREFIX).doesNotStartWith(user + "@");
    }
  }

  // ---- helpers ----

  /**
   * Reads the proxy's greeting, sends {@code bytes}, returns what came back (an ERR packet) as
   * text.
   */
  static String afterGreeting(byte[] bytes) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", tcpPort));
      s.setSoTimeout(15_000);
      byte[] greeting = packet(s.getInputStream());
      assertThat(greeting[0]).isEqualTo((byte) 10);
      s.getOutputStream().write(bytes);
      byte[] reply = s.getInputStream().readAllBytes();
      assertThat(reply[4] & 0xff).as("an ERR packet").isEqualTo(0xff);
      assertThat(reply[3])
          .as("the answer to the client's response, sequence id 1")
          .isEqualTo((byte) 2);
      return new String(reply, StandardCharsets.UTF_8);
    }
  }

  static byte[] packet(InputStream in) throws Exception {
    DataInputStream d = new DataInputStream(in);
    byte[] h = new byte[4];
    d.readFully(h);
    byte[] p = new byte[(h[0] & 0xff) | (h[1] & 0xff) << 8 | (h[2] & 0xff) << 16];
    d.readFully(p);
    return p;
  }

  static EdgeFixture.Result mariadb(List<String> connection, String sql) throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(List.of("mariadb", "--no-defaults", "--connect-timeout=20"));
    cmd.addAll(connection);
    cmd.addAll(List.of("-N", "-B", "-e", sql));
    return EdgeFixture.run(cmd);
  }

  static Connection jdbc(String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "app"); // any name: the agent logs in as the workload's user
    p.setProperty("password", "ignored");
    p.setProperty("connectTimeout", "20000");
    return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + tcpPort + "/" + database, p);
  }

  static Connection rootConnection() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "root");
    p.setProperty("connectTimeout", "3000");
    return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", p);
  }

  static void root(String... statements) throws SQLException {
    try (Connection c = rootConnection();
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }
}
