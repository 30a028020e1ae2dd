package dev.warden.store;

/**
 * A fresh, empty database for one test class: an H2 file database in a temporary directory, or a
 * new database on the test PostgreSQL server. Closing deletes it.
 */
interface TestDatabase extends AutoCloseable {

  StoreConfig config();

  /** Runs SQL directly, bypassing the store: for tests that must damage or inspect the schema. */
  void execute(String sql);

  @Override
  void close();
}
