package dev.warden.store;

import dev.warden.core.store.Store;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of every contract suite: one fresh database and one open store per test class. Tests in a
 * class share the store, so each uses its own names ({@link #unique}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StoreContract {
  /** Nanoseconds on purpose: stored times keep microseconds, and tests check the truncation. */
  final TestClock clock = new TestClock(Instant.parse("2030-01-02T03:04:05.123456789Z"));

  private final AtomicInteger names = new AtomicInteger();
  private TestDatabase database;
  private JdbcStore store;

  /** The database this suite runs on; the concrete H2 and PostgreSQL suites choose. */
  abstract TestDatabase createDatabase();

  @BeforeAll
  final void openStore() {
    database = createDatabase();
    store = JdbcStore.open(database.config(), clock);
  }

  @AfterAll
  final void closeStore() {
    if (store != null) {
      store.close();
    }
    if (database != null) {
      database.close();
    }
  }

  final Store store() {
    return store;
  }

  /**
   * The store as the server's wiring sees it, with the stores that are not part of {@link Store}.
   */
  final JdbcStore jdbcStore() {
    return store;
  }

  final TestDatabase database() {
    return database;
  }

  /** A second store on the same database, as a second server node would open it. */
  final JdbcStore openAnother() {
    return JdbcStore.open(database.config(), clock);
  }

  /** A name no other test of this class uses, valid as an object name and a SPIFFE path segment. */
  final String unique(String prefix) {
    return prefix + "-" + names.incrementAndGet();
  }
}
