package dev.warden.agent.edge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The first packet an unauthenticated local process sends: what is accepted, and the error for
 * everything else.
 */
class StartupTest {
  @Test
  void aStartupMessageGivesItsParametersInOrder() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("user", "app");
    p.put("database", "ledger");
    p.put("application_name", "psql");
    Startup s = Startup.parse(PgMessages.startup(p));
    assertThat(s).isEqualTo(new Startup.Message(0, p));
  }

  @Test
  void sslGssAndCancelRequestsAreRecognised() {
    assertThat(Startup.parse(PgMessages.sslRequest())).isInstanceOf(Startup.SslRequest.class);
    assertThat(
            Startup.parse(ByteBuffer.allocate(8).putInt(8).putInt(Startup.GSSENC_REQUEST).array()))
        .isInstanceOf(Startup.GssEncRequest.class);
    assertThat(Startup.parse(PgMessages.cancelRequest(42, 7)))
        .isEqualTo(new Startup.CancelRequest(42, 7));
  }

  @Test
  void lengthsOutsideWhatPostgresqlAcceptsAreProtocolErrors() {
    assertThatThrownBy(() -> Startup.length(ByteBuffer.allocate(8).putInt(0, 4)))
        .hasMessageContaining("invalid startup packet length 4");
    assertThatThrownBy(() -> Startup.length(ByteBuffer.allocate(8).putInt(0, 10_001)))
        .hasMessageContaining("10001");
    assertThat(Startup.length(ByteBuffer.allocate(3))).isEqualTo(-1);
    assertThatThrownBy(
            () ->
                Startup.parse(
                    ByteBuffer.allocate(12).putInt(12).putInt(Startup.SSL_REQUEST).array()))
        .hasMessageContaining("SSLRequest");
    assertThatThrownBy(
            () ->
                Startup.parse(
                    ByteBuffer.allocate(12).putInt(12).putInt(Startup.CANCEL_REQUEST).array()))
        .hasMessageContaining("CancelRequest");
  }

  @Test
  void anOlderOrUnknownProtocolIsRefusedWithTheVersion() {
    assertThatThrownBy(
            () ->
                Startup.parse(
                    ByteBuffer.allocate(9).putInt(9).putInt(2 << 16).put((byte) 0).array()))
        .isInstanceOf(PgProtocolException.class)
        .hasMessageContaining("unsupported frontend protocol 2.0");
  }

  @Test
  void malformedParameterListsAreRefused() {
    assertThatThrownBy(() -> Startup.parse(packet("user\0"))).hasMessageContaining("has no value");
    assertThatThrownBy(() -> Startup.parse(packet("user\0a\0user\0b\0\0")))
        .hasMessageContaining("given twice");
    assertThatThrownBy(() -> Startup.parse(packet("user\0a")))
        .hasMessageContaining("not terminated");
    assertThatThrownBy(() -> Startup.parse(packet("user\0a\0\0extra")))
        .hasMessageContaining("terminator");
  }

  @Test
  void aNewerMinorVersionIsKeptSoTheProxyCanNegotiateDown() {
    byte[] body = "user\0a\0_pq_.x\0y\0\0".getBytes(StandardCharsets.UTF_8);
    byte[] p =
        ByteBuffer.allocate(8 + body.length)
            .putInt(8 + body.length)
            .putInt(Startup.PROTOCOL_3_0 + 2)
            .put(body)
            .array();
    Startup.Message m = (Startup.Message) Startup.parse(p);
    assertThat(m.minor()).isEqualTo(2);
    assertThat(m.parameters()).containsKey("_pq_.x");
  }

  static byte[] packet(String params) {
    byte[] body = params.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + body.length)
        .putInt(8 + body.length)
        .putInt(Startup.PROTOCOL_3_0)
        .put(body)
        .array();
  }
}
