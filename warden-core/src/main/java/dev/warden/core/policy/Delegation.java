package dev.warden.core.policy;

import java.util.List;
import java.util.Objects;

/**
 * Who a delegated request acts for and through whom, as policy conditions see it ({@code
 * request.subject}, {@code request.actor_chain}, {@code request.delegation_depth}).
 *
 * @param subject the party the credential is for (the {@code sub} of the subject token)
 * @param actors the actors, the current one (the requesting workload) first, then the one before
 *     it, and so on (the nesting order of RFC 8693 {@code act})
 * @param txn the transaction id of the transaction token the request presented, or null
 */
public record Delegation(Party subject, List<Party> actors, String txn) {
  public Delegation {
    Objects.requireNonNull(subject, "subject");
    actors = List.copyOf(actors);
  }

  /** How many actors stand between the subject and the resource. */
  public int depth() {
    return actors.size();
  }

  /**
   * One party of a chain.
   *
   * @param id a SPIFFE ID, or another subject (a user, an OAuth client id)
   * @param selectors the registered workload's selectors, sorted; for a signed-in user an MCP
   *     client acts for, the selectors attested at sign-in; empty for any other party that is not a
   *     registered workload
   * @param registered whether {@code id} is a workload registered in this server now
   */
  public record Party(String id, List<String> selectors, boolean registered) {
    public Party {
      Objects.requireNonNull(id, "id");
      selectors = List.copyOf(selectors);
    }
  }
}
