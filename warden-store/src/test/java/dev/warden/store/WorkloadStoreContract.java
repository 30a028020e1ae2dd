package dev.warden.store;

import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import dev.warden.core.store.ObjectStore;
import dev.warden.core.store.Store;
import java.time.Instant;
import java.util.Set;

/**
 * The contract of {@link dev.warden.core.store.WorkloadStore}: workloads are named by SPIFFE ID.
 */
abstract class WorkloadStoreContract extends ObjectStoreContract<Workload> {
  @Override
  ObjectStore<Workload> objectsOf(Store s) {
    return s.workloads();
  }

  @Override
  Workload sample(String id, int variant) {
    return new Workload(
        SpiffeId.parse("spiffe://example.org/ns/payments/sa/" + id),
        Set.of(
            Selector.parse("k8s:ns=payments"),
            Selector.parse("k8s:sa=" + id),
            Selector.parse("k8s:label=a=b:c")),
        "alice@example.org",
        "payments-" + variant,
        "prod",
        WorkloadState.SUSPENDED,
        // nanoseconds: the document form keeps them exactly
        Instant.parse("2031-01-31T00:00:00.123456789Z"),
        "pays the bills");
  }
}
