package dev.warden.server.console;

import dev.warden.core.error.DeniedException;
import dev.warden.core.model.Selector;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.trust.AttestedIdentity;
import dev.warden.core.trust.TrustProviders;
import dev.warden.server.http.HttpJson;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A platform token pasted into the console, taken through the first two steps of a grant exactly as
 * the token endpoint takes it: verified by the trust provider its {@code iss} selects ({@link
 * TrustProviders#verifyUncached}, so nothing of the token stays behind), then its selectors matched
 * to the one registered workload. Nothing is issued and nothing is recorded; the token is not kept,
 * logged or rendered.
 *
 * @param identity what the token proves, or null when verification refused it
 * @param workload the workload it identifies, or null
 * @param refusedAt {@code trust} or {@code identity}: the step that refused it, or null
 * @param reason the refusal's reason code (as the audit log would record it), or null
 * @param message the refusal's message (never contains the token), or null
 */
record TokenCheck(
    @Nullable AttestedIdentity identity,
    @Nullable Workload workload,
    @Nullable String refusedAt,
    @Nullable String reason,
    @Nullable String message) {

  static TokenCheck of(TrustProviders trust, PolicySnapshot snap, String token) {
    AttestedIdentity id;
    try {
      id = trust.verifyUncached(token);
    } catch (DeniedException e) {
      return new TokenCheck(null, null, "trust", e.reason().code(), e.getMessage());
    }
    try {
      return new TokenCheck(id, snap.identify(id.selectors()), null, null, null);
    } catch (DeniedException e) {
      return new TokenCheck(id, null, "identity", e.reason().code(), e.getMessage());
    }
  }

  boolean verified() {
    return identity != null;
  }

  List<String> selectors() {
    return identity == null
        ? List.of()
        : identity.selectors().stream().map(Selector::toString).sorted().toList();
  }

  /** The verified claims as indented JSON. */
  String claimsJson() {
    return identity == null ? "" : HttpJson.MAPPER.valueToTree(identity.claims()).toPrettyString();
  }
}
