package dev.warden.store;

import dev.warden.core.document.Kind;
import dev.warden.core.model.Workload;
import dev.warden.core.store.WorkloadStore;
import java.time.InstantSource;

/** The store of workloads, keyed by SPIFFE ID. */
final class JdbcWorkloadStore extends JdbcObjectStore<Workload> implements WorkloadStore {
  JdbcWorkloadStore(Db db, InstantSource clock) {
    super(db, Kind.WORKLOAD, Workload.class, clock);
  }
}
