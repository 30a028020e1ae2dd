package dev.warden.core.grant;

import dev.warden.core.error.DeniedException;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.PolicySnapshot;

/**
 * Turns one kind of {@link Evidence} into the one registered workload it proves. Records what it
 * learnt on the way (provider, subject, claims) in the request's {@link GrantContext}, so that a
 * refusal after partial success is audited with everything known.
 */
interface Attestor<E extends Evidence> {

  /**
   * @throws DeniedException with the reason of the first rule the evidence breaks, or {@code
   *     unknown_workload} / {@code ambiguous_workload} when it identifies no single workload
   */
  Workload attest(E evidence, PolicySnapshot snapshot, GrantContext ctx);
}
