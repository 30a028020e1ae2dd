package dev.warden.agent.edge.postgres;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * Fuzz targets for the PostgreSQL proxy's parsers of outside input: the startup packet a local
 * process sends before it is authenticated, and the database's authentication messages (a database,
 * or whoever sits on the path to it, controls them). The only acceptable failure is a {@link
 * PgProtocolException}, which becomes the client's ErrorResponse; anything else would drop the
 * connection without a reason or, worse, leave it stuck. Seeds replay with every build; {@code
 * JAZZER_FUZZ=1 ./mvnw test -pl warden-agent -Dtest=PgWireFuzzTest} fuzzes for real.
 */
class PgWireFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void startupPacketParsesOrIsAProtocolError(FuzzedDataProvider data) {
    byte[] packet = data.consumeRemainingAsBytes();
    try {
      int len = Startup.length(ByteBuffer.wrap(packet));
      if (len >= 0 && len <= packet.length) {
        Startup.parse(java.util.Arrays.copyOf(packet, len));
      }
    } catch (PgProtocolException expected) {
      // documented outcome
    }
  }

  @FuzzTest(maxDuration = "30s")
  void authenticationMessagesAreAnsweredOrRefused(FuzzedDataProvider data) {
    UpstreamAuth auth =
        new UpstreamAuth("u", "pw", null, data.consumeBoolean(), new SecureRandom());
    try {
      while (data.remainingBytes() > 0) {
        byte type = data.consumeBoolean() ? (byte) 'R' : data.consumeByte();
        byte[] body = data.consumeBytes(data.consumeInt(0, 256));
        if (auth.on(new PgMessages.Backend(type, body)) instanceof UpstreamAuth.Step.Done) {
          return;
        }
      }
    } catch (PgProtocolException expected) {
      // documented outcome
    }
  }

  @FuzzTest(maxDuration = "30s")
  void scramServerMessagesAreAcceptedOnlyWhenWellFormed(FuzzedDataProvider data) {
    ScramClient c = new ScramClient("pw", null, false, "", "nonce");
    c.clientFirst();
    try {
      c.clientFinal(data.consumeBytes(data.consumeInt(0, 512)));
      c.verifyServerFinal(data.consumeRemainingAsBytes());
    } catch (PgProtocolException expected) {
      // documented outcome
    }
  }
}
