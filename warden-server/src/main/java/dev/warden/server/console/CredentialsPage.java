package dev.warden.server.console;

import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.lease.LeaseRow;
import dev.warden.core.lease.LeaseSearch;
import dev.warden.core.lease.LeaseService;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import dev.warden.server.admin.Scopes;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Credentials and leases: every lease, filtered by workload, resource, kind and state, newest
 * first, paged by keyset; revoke one, or everything a workload holds; force-forget a credential at
 * a target that could not be removed (with a reason). Only fingerprints are shown: Warden never
 * stores a credential, so there is none to show.
 */
final class CredentialsPage {
  static final int PAGE = 50;

  record View(
      Instant now,
      List<LeaseRow> rows,
      @Nullable String workload,
      @Nullable String resource,
      @Nullable String kind,
      @Nullable String state,
      List<String> kinds,
      List<String> states,
      @Nullable String next,
      boolean firstPage) {

    /** The query string of these filters, for paging links. */
    String filters() {
      return "workload="
          + Fmt.q(workload)
          + "&resource="
          + Fmt.q(resource)
          + "&kind="
          + Fmt.q(kind)
          + "&state="
          + Fmt.q(state);
    }
  }

  private final ConsoleServices s;

  CredentialsPage(ConsoleServices s) {
    this.s = s;
  }

  void register(Console c) {
    c.route("/credentials", Scopes.READ, this::list, null);
    c.route("/credentials/revoke", Scopes.POLICY_WRITE, null, this::revoke);
    c.route("/credentials/revoke-all", Scopes.POLICY_WRITE, null, this::revokeAll);
    c.route("/credentials/forget", Scopes.POLICY_WRITE, null, this::forget);
  }

  private void list(ConsoleCall c) {
    String kindText = c.param("kind");
    CredentialKind kind;
    try {
      kind = kindText == null ? null : CredentialKind.fromWire(kindText);
    } catch (IllegalArgumentException e) {
      throw new ValidationException("kind", String.valueOf(e.getMessage()));
    }
    Lease before = null;
    String beforeId = c.param("before");
    if (beforeId != null) {
      before = s.leases().get(beforeId).orElseThrow(() -> new NotFoundException("lease", beforeId));
    }
    List<LeaseRow> rows =
        s.leases()
            .search(c.param("workload"), c.param("resource"), kind, c.param("state"), before, PAGE);
    String next = rows.size() == PAGE ? rows.get(rows.size() - 1).lease().id() : null;
    View v =
        new View(
            c.now(),
            rows,
            c.param("workload"),
            c.param("resource"),
            kindText,
            c.param("state"),
            Arrays.stream(CredentialKind.values()).map(CredentialKind::wire).toList(),
            LeaseSearch.STATES,
            next,
            before == null);
    c.page(o -> JtecredentialsGenerated.render(o, null, c.frame("Credentials", "credentials"), v));
  }

  private void revoke(ConsoleCall c) {
    String id = c.required("id");
    LeaseService.Revocation r = s.leases().revoke(id, c.who.actor());
    c.redirect(
        back(c), r.revoked() ? "Lease " + id + " revoked." : "Lease " + id + " had already ended.");
  }

  private void revokeAll(ConsoleCall c) {
    String workload = c.required("workload");
    List<String> revoked = s.leases().revokeAll(workload, c.who.actor());
    c.redirect(back(c), revoked.size() + " live leases of " + workload + " revoked.");
  }

  /**
   * Force-forget of an irrevocable credential at a target: the reaper gave up removing it, and an
   * administrator says why Warden may stop (required; audited with their identity).
   */
  private void forget(ConsoleCall c) {
    String id = c.required("id");
    s.reaper().forget(id, c.field("reason"), c.who.actor());
    c.redirect(
        back(c),
        "Lease "
            + id
            + " forgotten: Warden no longer tries to remove it (audited as"
            + " credential.forgotten with your reason).");
  }

  /** Back to the list the action was taken from (only a console path). */
  private static String back(ConsoleCall c) {
    String to = c.field("back");
    return to != null && to.startsWith("/console/credentials") && !to.contains("//")
        ? to
        : "/console/credentials";
  }
}
