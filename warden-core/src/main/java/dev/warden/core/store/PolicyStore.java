package dev.warden.core.store;

import dev.warden.core.model.AccessPolicy;

/** Access policies, keyed by name. */
public interface PolicyStore extends ObjectStore<AccessPolicy> {}
