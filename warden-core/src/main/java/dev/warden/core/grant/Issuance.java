package dev.warden.core.grant;

import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import java.time.Instant;
import java.util.List;

/**
 * What a {@link CredentialProvider} is asked to mint: an allowed decision for one workload and
 * resource, the scopes granted, and the latest moment the credential may live to (the policy's
 * maximum TTL, cut at the workload's own expiry).
 *
 * @param certificateThumbprint the {@code x5t#S256} of the client certificate the credential must
 *     be bound to (RFC 8705), or null
 * @param subject the party the credential is for when a workload acts for another (RFC 8693
 *     delegation), or null when the workload asks for itself
 * @param actor the act chain of a delegated credential, the requesting workload outermost, or null
 * @param txn the transaction id of the transaction token the request presented, or null
 * @param dpopThumbprint the RFC 9449 {@code jkt} of the DPoP key the credential must be bound to,
 *     or null; never together with {@code certificateThumbprint}
 */
public record Issuance(
    GrantType grantType,
    Workload workload,
    Resource resource,
    Decision decision,
    List<String> scopes,
    Instant now,
    Instant notAfter,
    String certificateThumbprint,
    String subject,
    dev.warden.core.token.Actor actor,
    String txn,
    String dpopThumbprint) {
  public Issuance {
    scopes = List.copyOf(scopes);
    if (!decision.allowed()) {
      throw new IllegalArgumentException("only an allowed decision is issued");
    }
    if ((subject == null) != (actor == null)) {
      throw new IllegalArgumentException(
          "a delegated credential has both a subject and an actor chain");
    }
    if (certificateThumbprint != null && dpopThumbprint != null) {
      throw new IllegalArgumentException(
          "a credential is bound to one key: a certificate or a DPoP key, not both");
    }
  }

  public Issuance(
      GrantType grantType,
      Workload workload,
      Resource resource,
      Decision decision,
      List<String> scopes,
      Instant now,
      Instant notAfter,
      String certificateThumbprint,
      String subject,
      dev.warden.core.token.Actor actor,
      String txn) {
    this(
        grantType,
        workload,
        resource,
        decision,
        scopes,
        now,
        notAfter,
        certificateThumbprint,
        subject,
        actor,
        txn,
        null);
  }

  public Issuance(
      GrantType grantType,
      Workload workload,
      Resource resource,
      Decision decision,
      List<String> scopes,
      Instant now,
      Instant notAfter,
      String certificateThumbprint) {
    this(
        grantType,
        workload,
        resource,
        decision,
        scopes,
        now,
        notAfter,
        certificateThumbprint,
        null,
        null,
        null,
        null);
  }

  /** The token's {@code sub}: the subject acted for, or the workload itself. */
  public String tokenSubject() {
    return subject != null ? subject : workload.name();
  }
}
