package dev.warden.agent.edge.mysql;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;

/**
 * Fuzz targets for the MySQL proxy's parsers of outside input: packet framing and the client's
 * HandshakeResponse (a local process, before it is let in), the target's greeting and its
 * authentication packets (the target, or whoever is on the path). The only acceptable failure is a
 * {@link MysqlException}, which becomes an ERR packet. Seeds replay with every build; {@code
 * JAZZER_FUZZ=1 ./mvnw test -pl warden-agent -Dtest=MysqlWireFuzzTest} fuzzes for real.
 */
class MysqlWireFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void clientPacketsFrameAndParseOrAreAProtocolError(FuzzedDataProvider data) {
    ByteBuf buf = Unpooled.wrappedBuffer(data.consumeRemainingAsBytes());
    try {
      Wire.Packet p;
      while ((p = Wire.next(buf)) != null) {
        Handshake.Response r = Handshake.parseResponse(p.payload());
        if (!r.sslRequest() && r.user() == null) {
          throw new AssertionError("a response without a user");
        }
      }
    } catch (MysqlException expected) {
      // documented outcome
    } finally {
      buf.release();
    }
  }

  @FuzzTest(maxDuration = "30s")
  void targetGreetingAndAuthenticationPacketsAreAnsweredOrRefused(FuzzedDataProvider data) {
    try {
      Handshake.Greeting g = Handshake.parseGreeting(data.consumeBytes(data.consumeInt(0, 200)));
      MysqlUpstreamLogin l =
          new MysqlUpstreamLogin(
              "pw", g.plugin(), g.nonce(), data.consumeBoolean(), data.consumeBoolean());
      l.first();
      while (data.remainingBytes() > 0) {
        MysqlUpstreamLogin.Step s = l.on(data.consumeBytes(data.consumeInt(0, 600)));
        if (s instanceof MysqlUpstreamLogin.Step.Ok
            || s instanceof MysqlUpstreamLogin.Step.Refused) {
          return;
        }
      }
    } catch (MysqlException expected) {
      // documented outcome
    }
  }
}
