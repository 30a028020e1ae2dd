package dev.warden.core.grant;

import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import dev.warden.core.token.KeyBinding;
import java.time.Instant;
import java.util.List;

/**
 * What a {@link CredentialProvider} is asked to mint: an allowed decision for one workload and
 * resource, the scopes granted, and the latest moment the credential may live to (the policy's
 * maximum TTL, cut at the workload's own expiry).
 *
 * @param binding the key the credential must be bound to: the client certificate the request
 *     authenticated with (RFC 8705), its DPoP key (RFC 9449), or {@link KeyBinding#BEARER}
 * @param subject the party the credential is for when a workload acts for another (RFC 8693
 *     delegation), or null when the workload asks for itself
 * @param actor the act chain of a delegated credential, the requesting workload outermost, or null
 * @param txn the transaction id of the transaction token the request presented, or null
 */
public record Issuance(
    GrantType grantType,
    Workload workload,
    Resource resource,
    Decision decision,
    List<String> scopes,
    Instant now,
    Instant notAfter,
    KeyBinding binding,
    String subject,
    dev.warden.core.token.Actor actor,
    String txn) {
  public Issuance {
    scopes = List.copyOf(scopes);
    java.util.Objects.requireNonNull(binding, "binding");
    if (!decision.allowed()) {
      throw new IllegalArgumentException("only an allowed decision is issued");
    }
    if ((subject == null) != (actor == null)) {
      throw new IllegalArgumentException(
          "a delegated credential has both a subject and an actor chain");
    }
  }

  /** The token's {@code sub}: the subject acted for, or the workload itself. */
  public String tokenSubject() {
    return subject != null ? subject : workload.name();
  }
}
