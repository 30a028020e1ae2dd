package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overview's estate aggregates take seconds at scale, so the sign-in page starts their first
 * computation: the overview an admin lands on after signing in is warm.
 */
class ConsoleOverviewWarmTest {
  @TempDir Path dir;

  @Test
  void showingTheSignInPageStartsTheFirstEstateAggregatesBeforeAnyPageAsks() throws Exception {
    MutableClock clock = MutableClock.startingAt(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    try (ServerFixture warden = ServerFixture.start(dir, Map.of(), clock)) {
      ConsoleBrowser b = new ConsoleBrowser(warden.base);
      assertThat(b.get("/console/login").statusCode()).isEqualTo(200);
      // the admin takes 10 s to paste the token; a computation the overview started would be 0 s
      // old
      clock.advance(Duration.ofSeconds(10));
      assertThat(b.signIn(warden.adminToken).statusCode()).isEqualTo(303);
      String overview = b.get("/console/").body();
      for (int i = 0; i < 100 && overview.contains("estate-pending"); i++) {
        Thread.sleep(100);
        overview = b.get("/console/").body();
      }
      assertThat(overview)
          .as("computed as of the sign-in page, 10 s before the overview was asked for")
          .contains("Computed 10s ago.");
    }
  }
}
