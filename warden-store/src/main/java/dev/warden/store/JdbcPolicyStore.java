package dev.warden.store;

import dev.warden.core.document.Kind;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.store.PolicyStore;
import java.time.InstantSource;

/** The store of access policies. */
final class JdbcPolicyStore extends JdbcObjectStore<AccessPolicy> implements PolicyStore {
  JdbcPolicyStore(Db db, InstantSource clock) {
    super(db, Kind.ACCESS_POLICY, AccessPolicy.class, clock);
  }
}
