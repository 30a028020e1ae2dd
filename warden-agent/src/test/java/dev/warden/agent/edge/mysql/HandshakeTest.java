package dev.warden.agent.edge.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HandshakeTest {
  static final byte[] NONCE = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
  static final long MARIADB =
      Handshake.REQUIRED
          | Handshake.CONNECT_WITH_DB
          | Handshake.COMPRESS
          | Handshake.SSL
          | Handshake.CONNECT_ATTRS
          | Handshake.PLUGIN_AUTH_LENENC_DATA
          | (1L << 24)
          | (1L << 29);

  static Handshake.Greeting target() {
    return new Handshake.Greeting(
        "5.5.5-10.11.19-MariaDB", 42, NONCE, MARIADB, 45, 2, 0x1dL, "mysql_native_password");
  }

  @Test
  void aGreetingSurvivesItsOwnEncodingAndTheClientsCopyDropsTlsCompressionAndUnknownFlags() {
    Handshake.Greeting g = Handshake.parseGreeting(Handshake.greeting(target()));
    assertThat(g.serverVersion()).isEqualTo("5.5.5-10.11.19-MariaDB");
    assertThat(g.connectionId()).isEqualTo(42);
    assertThat(g.nonce()).isEqualTo(NONCE);
    assertThat(g.capabilities()).isEqualTo(MARIADB);
    assertThat(g.mariaExtended()).isEqualTo(0x1d);
    byte[] mine = "ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII);
    Handshake.Greeting toClient = Handshake.toClient(g, mine);
    assertThat(toClient.nonce()).isEqualTo(mine);
    assertThat(toClient.connectionId()).isEqualTo(42);
    assertThat(toClient.capabilities() & (Handshake.SSL | Handshake.COMPRESS | 1L << 29)).isZero();
    assertThat(toClient.capabilities() & (1L << 24)).as("DEPRECATE_EOF passed on").isNotZero();
    assertThat(toClient.plugin()).isEqualTo("mysql_native_password");
  }

  @Test
  void theTargetGetsTheSharedFlagsTheIssuedUserAndTheClientsDatabaseOrElseTheResources() {
    long clientCaps =
        Handshake.REQUIRED
            | Handshake.CONNECT_WITH_DB
            | Handshake.CONNECT_ATTRS
            | (1L << 24)
            | Handshake.QUERY_ATTRIBUTES;
    Handshake.Response client =
        new Handshake.Response(
            clientCaps,
            1 << 24,
            45,
            0x05,
            false,
            "app".getBytes(StandardCharsets.UTF_8),
            new byte[20],
            "shop".getBytes(StandardCharsets.UTF_8),
            "mysql_native_password",
            new byte[] {3, 'k', 'e', 'y'});
    byte[] user = "w_issued".getBytes(StandardCharsets.UTF_8);
    Handshake.Response up =
        Handshake.toUpstream(
            client, target(), true, user, new byte[20], "mysql_native_password", "resource_db");
    assertThat(up.capabilities() & Handshake.QUERY_ATTRIBUTES)
        .as("not offered by the target")
        .isZero();
    assertThat(up.capabilities() & Handshake.SSL).isNotZero();
    assertThat(up.capabilities() & (1L << 24)).isNotZero();
    assertThat(new String(up.database(), StandardCharsets.UTF_8)).isEqualTo("shop");
    assertThat(up.mariaExtended()).isEqualTo(0x05);
    Handshake.Response parsed = Handshake.parseResponse(Handshake.response(up));
    assertThat(parsed.user()).isEqualTo(user);
    assertThat(parsed.attributes()).isEqualTo(new byte[] {3, 'k', 'e', 'y'});
    assertThat(parsed.mariaExtended()).isEqualTo(0x05);
    Handshake.Response noDb =
        new Handshake.Response(
            clientCaps & ~Handshake.CONNECT_WITH_DB,
            1 << 24,
            45,
            0,
            false,
            "app".getBytes(StandardCharsets.UTF_8),
            new byte[0],
            null,
            "mysql_native_password",
            null);
    Handshake.Response up2 =
        Handshake.toUpstream(noDb, target(), false, user, new byte[20], "x", "resource_db");
    assertThat(new String(up2.database(), StandardCharsets.UTF_8)).isEqualTo("resource_db");
    assertThat(up2.capabilities() & Handshake.CONNECT_WITH_DB).isNotZero();
    assertThat(up2.capabilities() & Handshake.SSL).isZero();
    Handshake.Response up3 =
        Handshake.toUpstream(noDb, target(), false, user, new byte[20], "x", null);
    assertThat(up3.capabilities() & Handshake.CONNECT_WITH_DB).isZero();
  }

  @Test
  void anSslRequestIsRecognisedAndTruncatedOrOldFormsAreProtocolErrors() {
    Handshake.Response r =
        new Handshake.Response(
            Handshake.REQUIRED | Handshake.SSL,
            1 << 24,
            45,
            0,
            false,
            null,
            null,
            null,
            null,
            null);
    assertThat(Handshake.parseResponse(Handshake.sslRequest(r)).sslRequest()).isTrue();
    assertThatThrownBy(() -> Handshake.parseResponse(new byte[] {0, 0, 0, 0}))
        .isInstanceOf(MysqlException.class)
        .hasMessageContaining("does not speak the 4.1");
    assertThatThrownBy(() -> Handshake.parseResponse(new byte[] {0, 2, 0}))
        .hasMessageContaining("ends early");
    assertThatThrownBy(() -> Handshake.parseGreeting(new byte[] {9}))
        .hasMessageContaining("protocol 9");
  }
}
