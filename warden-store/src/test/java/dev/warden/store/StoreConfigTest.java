package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.StoreException;
import dev.warden.core.error.ValidationException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StoreConfigTest {

  @Test
  void embeddedPointsH2AtTheDataDirectoryWithDurableCommits(@TempDir Path dir) {
    StoreConfig c = StoreConfig.embedded(dir);

    assertThat(c.url())
        .startsWith("jdbc:h2:file:" + dir.toAbsolutePath() + "/warden;")
        .contains("WRITE_DELAY=0")
        .contains("DB_CLOSE_ON_EXIT=FALSE");
    assertThat(c.maxPoolSize()).isEqualTo(StoreConfig.DEFAULT_MAX_POOL_SIZE);
  }

  @Test
  void embeddedKeepsEveryStatementTheStoresUseParsedPerConnection(@TempDir Path dir)
      throws Exception {
    StoreConfig c = StoreConfig.embedded(dir);

    // the javadoc promised 64 long before the URL set it (found profiling the MCP gateway)
    try (java.sql.Connection conn =
            java.sql.DriverManager.getConnection(c.url(), c.user(), c.password());
        java.sql.ResultSet rs =
            conn.createStatement()
                .executeQuery(
                    "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                        + " WHERE SETTING_NAME = 'QUERY_CACHE_SIZE'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("64");
    }
  }

  @Test
  void toStringAndRedactedUrlNeverShowThePassword() {
    StoreConfig c =
        new StoreConfig(
            "jdbc:postgresql://db:5432/warden?user=w&password=hunter2&ssl=true", "w", "s3cret");

    assertThat(c.toString())
        .doesNotContain("hunter2")
        .doesNotContain("s3cret")
        .contains("password=***");
    assertThat(c.redactedUrl())
        .isEqualTo("jdbc:postgresql://db:5432/warden?user=w&password=***&ssl=true");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "jdbc:mysql://db/warden | warden | 16 | store.url",
        "                       | warden | 16 | store.url",
        "jdbc:h2:file:/tmp/x    |        | 16 | store.user",
        "jdbc:h2:file:/tmp/x    | warden | 0  | store.maxPoolSize",
      })
  void invalidConfigurationThenRejectedNamingTheField(
      String url, String user, int pool, String field) {
    assertThatThrownBy(() -> new StoreConfig(url, user, null, pool))
        .isInstanceOfSatisfying(
            ValidationException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  @Test
  void openWhenDatabaseUnreachableThenMessageNamesTheUrlWithoutPassword() {
    // port 1 on loopback: connection refused at once, no server needed
    StoreConfig c =
        new StoreConfig(
            "jdbc:postgresql://127.0.0.1:1/warden?password=hunter2", "warden", "s3cret", 2);

    assertThatThrownBy(() -> JdbcStore.open(c))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(
            "cannot reach the database at jdbc:postgresql://127.0.0.1:1/warden?password=***")
        .hasMessageNotContaining("hunter2")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void openWhenEmbeddedDatabaseIsHeldByAnotherProcessThenClearError(@TempDir Path dir)
      throws Exception {
    StoreConfig c = StoreConfig.embedded(dir);
    JdbcStore.open(c).close();
    // an H2 file database belongs to one process; a second process must be refused, not hang
    Process holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "org.h2.tools.Shell",
                "-url",
                c.url(),
                "-user",
                "warden",
                "-sql",
                "CREATE ALIAS IF NOT EXISTS HOLD FOR 'java.lang.Thread.sleep(long)'; CALL HOLD(8000)")
            .redirectErrorStream(true)
            .start();
    try {
      Thread.sleep(2500);
      assertThatThrownBy(() -> JdbcStore.open(c))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("cannot reach the database at jdbc:h2:file:");
    } finally {
      holder.destroyForcibly().waitFor();
    }
  }
}
