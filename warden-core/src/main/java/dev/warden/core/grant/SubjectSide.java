package dev.warden.core.grant;

import dev.warden.core.model.Workload;
import dev.warden.core.token.Actor;
import java.time.Instant;
import java.util.List;

/**
 * What the subject token of an exchange establishes, verified: who the subject is, the chain it
 * already carries, and the bounds the issued credential must stay within (never wider).
 *
 * @param subject the {@code sub} of the issued credential
 * @param workload the subject as a registered workload, or null (a user, a deleted workload)
 * @param prior the act chain the subject token carries (Warden-signed), or null
 * @param audiences the audiences the subject token was issued for, or null when the subject token
 *     is a platform token: the subject's own policy decision bounds the exchange instead
 * @param scopes the subject token's scopes (bounding when {@code audiences} is not null)
 * @param expiresAt when the subject token expires
 * @param previousHop the audit event id of the subject token's issuance (its {@code jti}), or null
 *     when Warden did not issue it
 * @param mayAct the only actor the subject token allows, or null for any the policies allow
 * @param txn the transaction id the subject token carries, or null
 */
record SubjectSide(
    String subject,
    Workload workload,
    Actor prior,
    List<String> audiences,
    List<String> scopes,
    Instant expiresAt,
    String previousHop,
    String mayAct,
    String txn) {
  SubjectSide {
    scopes = List.copyOf(scopes);
    audiences = audiences == null ? null : List.copyOf(audiences);
  }
}
