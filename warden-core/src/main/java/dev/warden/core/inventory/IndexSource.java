package dev.warden.core.inventory;

import dev.warden.core.admin.AdminToken;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.store.Store;
import dev.warden.core.store.Versioned;
import java.util.List;
import java.util.Optional;

/**
 * The configuration the posture index reads besides the {@link
 * dev.warden.core.inventory.InventoryStore}: workloads, resources and policies (all of them at a
 * rebuild, one by name when an audit event names it) and admin tokens. The {@link Store} in
 * production, a few maps in tests. Every method throws {@link dev.warden.core.error.StoreException}
 * when the database fails.
 */
interface IndexSource {
  List<Workload> workloads();

  List<Resource> resources();

  List<AccessPolicy> policies();

  Optional<Workload> workload(String name);

  Optional<Resource> resource(String name);

  Optional<AccessPolicy> policy(String name);

  List<AdminToken> adminTokens();

  /** Brokered secrets with their readers of the last 30 days. */
  default List<SecretSummary> brokeredSecrets(java.time.Instant now) {
    return List.of();
  }

  /** The configuration kept in {@code store}. */
  static IndexSource of(Store store) {
    return new IndexSource() {
      @Override
      public List<Workload> workloads() {
        return values(store.workloads().list());
      }

      @Override
      public List<Resource> resources() {
        return values(store.resources().list());
      }

      @Override
      public List<AccessPolicy> policies() {
        return values(store.policies().list());
      }

      @Override
      public Optional<Workload> workload(String name) {
        return store.workloads().get(name).map(Versioned::value);
      }

      @Override
      public Optional<Resource> resource(String name) {
        return store.resources().get(name).map(Versioned::value);
      }

      @Override
      public Optional<AccessPolicy> policy(String name) {
        return store.policies().get(name).map(Versioned::value);
      }

      @Override
      public List<AdminToken> adminTokens() {
        return store.adminTokens().list();
      }

      @Override
      public List<SecretSummary> brokeredSecrets(java.time.Instant now) {
        return SecretSummary.read(store.brokeredSecrets(), now);
      }
    };
  }

  private static <T> List<T> values(List<Versioned<T>> vs) {
    return vs.stream().map(Versioned::value).toList();
  }
}
