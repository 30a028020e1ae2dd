package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.StoreException;
import dev.warden.core.model.Resource;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Opening, re-opening, readiness and schema-version checks of {@link JdbcStore}. */
abstract class JdbcStoreContract extends StoreContract {

  @Test
  void isReachableWhileOpenAndNotAfterClose() {
    JdbcStore other = openAnother();
    assertThat(other.isReachable(Duration.ofSeconds(2))).isTrue();

    other.close();
    other.close();

    assertThat(other.isReachable(Duration.ofSeconds(2))).isFalse();
    assertThat(store().isReachable(Duration.ofMillis(500))).isTrue();
  }

  @Test
  void reopeningAnExistingDatabaseKeepsEverythingAndMigratesNothing() {
    String name = unique("kept");
    try (JdbcStore first = openAnother()) {
      first
          .resources()
          .put(new Resource(name, "https://kept.example.com", null, null, null), 0, "alice");
      first
          .audit()
          .append(
              List.of(
                  AuditFixtures.decision(
                      clock.instant(), "spiffe://example.org/kept", name, "allow")));
    }

    try (JdbcStore again = openAnother()) {
      assertThat(again.resources().get(name)).isPresent();
      assertThat(AuditFixtures.verifyWholeChain(again.audit())).isPositive();
    }
  }

  @Test
  void openWhenSchemaIsNewerThanThisBuildThenRefusedWithAClearMessage() {
    // Flyway creates its table with quoted lower-case names on both databases
    database()
        .execute(
            "INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\", \"description\","
                + " \"type\", \"script\", \"checksum\", \"installed_by\", \"execution_time\", \"success\")"
                + " VALUES (999, '999', 'from the future', 'SQL', 'V999__future.sql', 0, 'test', 1, TRUE)");
    try {
      assertThatThrownBy(this::openAnother)
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("newer than this build knows")
          .hasMessageContaining("999")
          .hasMessageContaining(database().config().redactedUrl());
    } finally {
      database().execute("DELETE FROM \"flyway_schema_history\" WHERE \"installed_rank\" = 999");
    }
    openAnother().close();
  }
}
