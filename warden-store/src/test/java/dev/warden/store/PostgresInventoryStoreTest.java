package dev.warden.store;

/** The {@link dev.warden.core.inventory.InventoryStore} contract on Postgres (a fresh database). */
class PostgresInventoryStoreTest extends InventoryStoreContract {
  @Override
  TestDatabase createDatabase() {
    return new PostgresTestDatabase();
  }
}
