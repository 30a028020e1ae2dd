package dev.warden.core.store;

import dev.warden.core.model.TrustProviderSpec;

/** Trust provider configurations, keyed by name. */
public interface TrustProviderStore extends ObjectStore<TrustProviderSpec> {}
