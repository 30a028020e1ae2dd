package dev.warden.store;

import dev.warden.core.model.ProviderType;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.store.ObjectStore;
import dev.warden.core.store.Store;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The contract of {@link dev.warden.core.store.TrustProviderStore}. */
abstract class TrustProviderStoreContract extends ObjectStoreContract<TrustProviderSpec> {
  @Override
  ObjectStore<TrustProviderSpec> objectsOf(Store s) {
    return s.trustProviders();
  }

  @Override
  TrustProviderSpec sample(String id, int variant) {
    // inline JWKS in compact form: Documents keeps it as a JSON object, which re-renders compactly
    return new TrustProviderSpec(
        id,
        ProviderType.GITHUB_ACTIONS,
        "https://token.actions.githubusercontent.com",
        "https://token.actions.githubusercontent.com/.well-known/jwks",
        "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"k1\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}",
        List.of("https://warden.example.org", "aud-" + variant),
        List.of("RS256", "ES256", "EdDSA"),
        Duration.ofMinutes(10 + variant),
        Duration.ofSeconds(45),
        Map.of("repository_owner", "owner", "/nested/claim", "nested"),
        List.of("sub", "repository"));
  }
}
