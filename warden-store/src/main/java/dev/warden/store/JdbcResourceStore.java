package dev.warden.store;

import dev.warden.core.document.Kind;
import dev.warden.core.model.Resource;
import dev.warden.core.store.ResourceStore;
import java.time.InstantSource;

/** The store of resources. */
final class JdbcResourceStore extends JdbcObjectStore<Resource> implements ResourceStore {
  JdbcResourceStore(Db db, InstantSource clock) {
    super(db, Kind.RESOURCE, Resource.class, clock);
  }
}
