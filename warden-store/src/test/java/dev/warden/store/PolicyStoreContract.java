package dev.warden.store;

import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Effect;
import dev.warden.core.model.Selector;
import dev.warden.core.model.WorkloadMatcher;
import dev.warden.core.store.ObjectStore;
import dev.warden.core.store.Store;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** The contract of {@link dev.warden.core.store.PolicyStore}. */
abstract class PolicyStoreContract extends ObjectStoreContract<AccessPolicy> {
  @Override
  ObjectStore<AccessPolicy> objectsOf(Store s) {
    return s.policies();
  }

  @Override
  AccessPolicy sample(String id, int variant) {
    return new AccessPolicy(
        id,
        "deny after hours, revision " + variant,
        new WorkloadMatcher(
            List.of("spiffe://example.org/ns/payments/*", "spiffe://example.org/batch/nightly"),
            Set.of(
                Selector.parse("k8s:ns=payments"), Selector.parse("github:repository=acme/api"))),
        List.of("ledger-db", "cache"),
        Effect.DENY,
        "request.time.getHours() >= 18",
        CredentialKind.X509_SVID,
        Duration.ofMinutes(15),
        List.of("read", "write"));
  }
}
