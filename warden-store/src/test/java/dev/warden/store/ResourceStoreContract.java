package dev.warden.store;

import dev.warden.core.model.Resource;
import dev.warden.core.model.Sensitivity;
import dev.warden.core.store.ObjectStore;
import dev.warden.core.store.Store;

/** The contract of {@link dev.warden.core.store.ResourceStore}. */
abstract class ResourceStoreContract extends ObjectStoreContract<Resource> {
  @Override
  ObjectStore<Resource> objectsOf(Store s) {
    return s.resources();
  }

  @Override
  Resource sample(String id, int variant) {
    return new Resource(
        id,
        "https://api.example.com/" + id,
        "postgres",
        Sensitivity.CRITICAL,
        "ledger database, revision " + variant + " — ünïcode");
  }
}
