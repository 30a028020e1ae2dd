package dev.warden.core.store;

import dev.warden.core.model.Workload;

/** Workloads, keyed by SPIFFE ID. */
public interface WorkloadStore extends ObjectStore<Workload> {}
