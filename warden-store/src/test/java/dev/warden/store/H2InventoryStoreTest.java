package dev.warden.store;

/** The {@link dev.warden.core.inventory.InventoryStore} contract on H2 (a fresh database). */
class H2InventoryStoreTest extends InventoryStoreContract {
  @Override
  TestDatabase createDatabase() {
    return new H2TestDatabase();
  }
}
