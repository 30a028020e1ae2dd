package dev.warden.core.grant;

import dev.warden.core.model.Workload;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.trust.AttestedIdentity;
import dev.warden.core.trust.TrustProviders;
import java.util.function.Supplier;

/**
 * Platform JWTs: verified by the trust provider its {@code iss} names, then matched by selectors.
 */
final class PlatformTokenAttestor implements Attestor<Evidence.PlatformToken> {
  private final Supplier<TrustProviders> trust;

  PlatformTokenAttestor(Supplier<TrustProviders> trust) {
    this.trust = trust;
  }

  @Override
  public Workload attest(
      Evidence.PlatformToken evidence, PolicySnapshot snapshot, GrantContext ctx) {
    AttestedIdentity id = trust.get().verify(evidence.token().reveal());
    ctx.attested(id.provider(), id.subject(), id.claims(), null);
    ctx.evidenceExpiresAt(id.expiresAt());
    return snapshot.identify(id.selectors());
  }
}
