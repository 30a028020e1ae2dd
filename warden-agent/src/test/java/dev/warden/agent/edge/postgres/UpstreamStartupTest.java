package dev.warden.agent.edge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.agent.edge.EdgeCredential;
import dev.warden.core.crypto.Secret;
import dev.warden.core.edge.ProxySpec;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The start-up message the agent sends the database for the issued user: with the credential's
 * database when the server named one, else without (PostgreSQL then takes the user's name); a
 * credential without a database used to fail the login with a NullPointerException.
 */
class UpstreamStartupTest {
  static final ProxySpec SPEC =
      ProxySpec.parse("postgres:resource=ledger-db,listen=127.0.0.1:6432,upstream-tls=disable");

  final List<String> failures = new CopyOnWriteArrayList<>();

  String startupFor(String database) {
    Instant now = Instant.now();
    EdgeCredential cred =
        new EdgeCredential(
            "lease-1",
            "app_1",
            Secret.of("pw"),
            "db.internal",
            5432,
            database,
            now,
            now.plus(Duration.ofHours(1)),
            "postgres");
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new UpstreamSide(
                SPEC,
                null,
                cred,
                Map.of("application_name", "psql"),
                null,
                new UpstreamSide.Listener() {
                  @Override
                  public void authenticated(ByteBuf firstBytes) {
                    firstBytes.release();
                  }

                  @Override
                  public void refused(byte[] errorResponse, String why) {
                    failures.add(why);
                  }

                  @Override
                  public void failed(String sqlState, String message) {
                    failures.add(message);
                  }
                },
                new SecureRandom()));
    try {
      ByteBuf out = ch.readOutbound();
      assertThat(out).as("a start-up message was sent (failures: %s)", failures).isNotNull();
      // before the channel is closed below, which the handler reports as a failure of its own
      assertThat(failures).as("nothing failed").isEmpty();
      try {
        return out.toString(StandardCharsets.UTF_8);
      } finally {
        out.release();
      }
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void theStartupNamesTheCredentialsDatabase() {
    assertThat(startupFor("ledger")).contains("user\0app_1\0", "database\0ledger\0");
  }

  @Test
  void aCredentialWithoutADatabaseLogsInWithoutNamingOne() {
    String startup = startupFor(null);
    assertThat(startup).contains("user\0app_1\0", "application_name\0psql\0");
    assertThat(startup).doesNotContain("database");
  }
}
