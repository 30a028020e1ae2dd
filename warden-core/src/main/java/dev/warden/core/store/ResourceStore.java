package dev.warden.core.store;

import dev.warden.core.model.Resource;

/** Resources, keyed by name. */
public interface ResourceStore extends ObjectStore<Resource> {}
