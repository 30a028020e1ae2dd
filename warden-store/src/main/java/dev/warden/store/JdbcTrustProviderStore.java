package dev.warden.store;

import dev.warden.core.document.Kind;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.store.TrustProviderStore;
import java.time.InstantSource;

/** The store of trust provider configurations. */
final class JdbcTrustProviderStore extends JdbcObjectStore<TrustProviderSpec>
    implements TrustProviderStore {
  JdbcTrustProviderStore(Db db, InstantSource clock) {
    super(db, Kind.TRUST_PROVIDER, TrustProviderSpec.class, clock);
  }
}
