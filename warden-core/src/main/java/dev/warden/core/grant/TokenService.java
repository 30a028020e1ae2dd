package dev.warden.core.grant;

import static dev.warden.core.grant.GrantChecks.requireClientIdNames;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.UnavailableException;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import dev.warden.core.policy.Delegation;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.policy.RequestContext;
import dev.warden.core.token.Actor;
import dev.warden.core.token.KeyBinding;
import dev.warden.core.trust.TrustProviders;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The main flow, secretless access, as one path for every kind of evidence and credential: attest
 * the evidence ({@link Attestor}), identify exactly one workload, decide by policy, mint the
 * credential through the {@link CredentialProvider} of the granted kind, and make the one audit
 * event (with the lease) durable before the credential is returned. Every outcome, allow or deny,
 * is audited exactly once, with its reason code, from the request's {@link GrantContext}.
 *
 * <p>This class holds the order of the steps and the one audit event; the steps live beside it:
 * {@link GrantChecks} (client id, workload state, resource, scopes), {@link CredentialProviders}
 * (which endpoint hands out which kind), {@link LeaseIntents} (the lease, and intent before effect
 * at a target), {@link ActorChains} (delegation and the hop links of a chain) and {@link
 * TransactionTokenGrant}.
 *
 * <p>Why it is still over 400 lines: {@link #grant} is the one ordered path from evidence to an
 * audited credential, kept whole so the order of the checks reads top to bottom; the rest is the
 * public constructors and {@link Chains}.
 */
public final class TokenService {
  private final Supplier<PolicySnapshot> policies;
  private final PlatformTokenAttestor platformTokens;
  private final CertificateAttestor certificates;
  private final CredentialProviders providers;
  private final AuditWriter audit;
  private final Clock clock;
  private final LeaseIntents leases;
  private final ActorChains chains;
  private final TransactionTokenGrant transactionTokens;
  private final SubjectTokens subjects;
  private final JwtSvidAttestor jwtSvids;

  /**
   * What the token service needs for delegation (RFC 8693 actors), transaction tokens and the
   * hop-by-hop audit of chains; without it, those requests are refused as unsupported.
   *
   * @param wardenTokens verifies Warden's own tokens presented as subject or transaction tokens
   * @param issuer the {@code iss} of transaction tokens
   * @param trustDomain the trust domain's name ({@code acme.test}); transaction tokens are for
   *     {@code spiffe://acme.test}, asked for with either form as {@code audience}
   * @param keys signs transaction tokens (the access-token keys)
   * @param audit finds the record of a hop's previous hop
   * @param maxDepth the deepest actor chain issued, whatever the policies allow
   * @param jwtSvidKeys the trust domain's JWT-SVID keys: a JWT-SVID whose aud names this server is
   *     accepted as a client assertion or actor token (null: not accepted)
   */
  public record Chains(
      dev.warden.core.token.WardenTokens wardenTokens,
      String issuer,
      String trustDomain,
      dev.warden.core.token.KeyManager keys,
      dev.warden.core.audit.AuditLookup audit,
      int maxDepth,
      dev.warden.core.token.KeyManager jwtSvidKeys) {
    public Chains {
      java.util.Objects.requireNonNull(wardenTokens, "wardenTokens");
      java.util.Objects.requireNonNull(trustDomain, "trustDomain");
      java.util.Objects.requireNonNull(keys, "keys");
      java.util.Objects.requireNonNull(audit, "audit");
      if (maxDepth < 1 || maxDepth > dev.warden.core.token.Actor.MAX_DEPTH) {
        throw new IllegalArgumentException(
            "maxDepth is 1 to " + dev.warden.core.token.Actor.MAX_DEPTH);
      }
    }
  }

  /**
   * @param clientCertificateAuthorities the trust domain's X.509 bundle: a client certificate that
   *     chains to it authenticates the workload it names (RFC 8705 {@code tls_client_auth})
   * @param providers one per credential kind the token endpoint issues
   */
  public TokenService(
      Supplier<TrustProviders> trust,
      Supplier<List<X509Certificate>> clientCertificateAuthorities,
      Supplier<PolicySnapshot> policies,
      List<CredentialProvider> providers,
      AuditWriter audit,
      Fingerprinter fingerprinter,
      Clock clock) {
    this(
        trust,
        clientCertificateAuthorities,
        policies,
        providers,
        audit,
        fingerprinter,
        clock,
        null);
  }

  /**
   * @param intents where the lease of a credential that lives at its target is recorded before the
   *     credential is created there; required when a provider is a {@link TargetCredentialProvider}
   */
  public TokenService(
      Supplier<TrustProviders> trust,
      Supplier<List<X509Certificate>> clientCertificateAuthorities,
      Supplier<PolicySnapshot> policies,
      List<CredentialProvider> providers,
      AuditWriter audit,
      Fingerprinter fingerprinter,
      Clock clock,
      TargetLeaseStore intents) {
    this(
        trust,
        clientCertificateAuthorities,
        policies,
        providers,
        audit,
        fingerprinter,
        clock,
        intents,
        null);
  }

  /**
   * @param chains delegation and transaction tokens, or null to refuse them
   */
  public TokenService(
      Supplier<TrustProviders> trust,
      Supplier<List<X509Certificate>> clientCertificateAuthorities,
      Supplier<PolicySnapshot> policies,
      List<CredentialProvider> providers,
      AuditWriter audit,
      Fingerprinter fingerprinter,
      Clock clock,
      TargetLeaseStore intents,
      Chains chains) {
    this.chains = chains == null ? null : new ActorChains(chains);
    this.subjects = new SubjectTokens(trust, chains == null ? null : chains.wardenTokens());
    this.jwtSvids =
        chains == null || chains.jwtSvidKeys() == null
            ? null
            : new JwtSvidAttestor(
                chains.jwtSvidKeys(),
                chains.trustDomain(),
                List.of(chains.issuer(), chains.issuer() + "/oauth2/token"));
    this.policies = policies;
    this.platformTokens = new PlatformTokenAttestor(trust);
    this.certificates = new CertificateAttestor(clientCertificateAuthorities);
    this.providers = new CredentialProviders(providers, intents != null);
    this.audit = audit;
    this.clock = clock;
    this.leases = new LeaseIntents(intents, fingerprinter, clock);
    this.transactionTokens =
        this.chains == null ? null : new TransactionTokenGrant(this.chains, audit, leases);
  }

  /**
   * True if {@code token} says it was issued by this server (unverified: only to choose how to read
   * it); false when delegation is off.
   */
  public boolean issuedHere(String token) {
    return chains != null && chains.config().wardenTokens().claimsToBeOurs(token);
  }

  /**
   * RFC 8705 section 3.1: base64url SHA-256 of the certificate's DER, the {@code x5t#S256}
   * confirmation.
   */
  public static String thumbprint(X509Certificate c) {
    return CertificateAttestor.thumbprint(c);
  }

  /**
   * Attests the evidence of a request about the caller's own leases and identifies its workload, as
   * {@link #grant} does; refusals are audited by the caller through {@code ctx}.
   */
  Workload identify(GrantContext ctx) {
    PolicySnapshot snap = policies.get();
    Workload workload =
        switch (ctx.request().evidence()) {
          case Evidence.PlatformToken t -> platformTokens.attest(t, snap, ctx);
          case Evidence.ClientCertificate c -> certificates.attest(c, snap, ctx);
        };
    ctx.workload(workload);
    requireClientIdNames(ctx.request().clientId(), workload.name());
    checkState(workload, ctx.now());
    return workload;
  }

  PolicySnapshot policies() {
    return policies.get();
  }

  Clock clock() {
    return clock;
  }

  AuditWriter audit() {
    return audit;
  }

  /** The provider of a kind, if it is one whose credentials live at a target. */
  TargetCredentialProvider targetProvider(CredentialKind kind) {
    return providers.target(kind);
  }

  /**
   * Grants a credential or refuses with a reason.
   *
   * @throws DeniedException when the evidence, identity or policy refuses; already audited
   * @throws dev.warden.core.error.UnavailableException when the audit log cannot be written, or
   *     ({@code target_unavailable}, audited) the resource's database or upstream OAuth server
   *     cannot issue; nothing was issued
   */
  public Granted grant(GrantRequest req) {
    GrantContext ctx = new GrantContext(req, clock.instant());
    try {
      PolicySnapshot snap = policies.get();
      Workload workload =
          switch (req.evidence()) {
            case Evidence.PlatformToken t
                when jwtSvids != null && jwtSvids.looksLike(t.token().reveal()) ->
                jwtSvids.attest(t, snap, ctx);
            case Evidence.PlatformToken t -> platformTokens.attest(t, snap, ctx);
            case Evidence.ClientCertificate c -> certificates.attest(c, snap, ctx);
          };
      ctx.workload(workload);
      requireClientIdNames(req.clientId(), workload.name());
      checkState(workload, ctx.now());
      GrantRequest.Exchange ex = req.exchange();
      GrantChecks.requireOneBinding(req, ctx.thumbprint());
      if ((ex != null || req.hop().transactionToken() != null) && chains == null) {
        throw new DeniedException(
            Reason.INVALID_REQUEST,
            "delegation and transaction tokens are not enabled on" + " this server");
      }
      if (chains != null) {
        chains.linkTransaction(req.hop(), ctx);
      }
      SubjectSide side = null;
      if (ex != null) {
        if (ex.purpose() == GrantRequest.Purpose.DELEGATION && ctx.claims().containsKey("act")) {
          throw new DeniedException(
              Reason.ACT_NOT_TRUSTED,
              "the actor's own token carries an act claim; an actor"
                  + " token names the actor alone, and only act chains Warden signed are trusted");
        }
        side = subjects.verify(ex, workload, snap);
        if (side.workload() != null && side.audiences() == null) {
          checkState(side.workload(), ctx.now());
        }
        if (side.previousHop() != null) {
          chains.link(side.previousHop(), ctx);
        }
        if (ctx.txn() == null) {
          ctx.txn(side.txn());
        }
      }
      boolean txnRequest = ex != null && ex.purpose() == GrantRequest.Purpose.TRANSACTION_TOKEN;
      Resource resource =
          GrantChecks.resolve(
              snap,
              txnRequest && chains.config().trustDomain().equals(req.target())
                  ? chains.trustDomainUri()
                  : req.target());
      ctx.resource(resource);
      List<String> requested = GrantChecks.scopes(req.scope());
      if (txnRequest) {
        return transactionTokens.grant(req, ex, side, workload, resource, requested, snap, ctx);
      }
      RequestContext request =
          new RequestContext(ctx.now(), req.sourceAddress(), ctx.claims(), requested, List.of());
      Actor chain = null;
      if (side != null) {
        chain = chains.delegate(side, workload, resource, ctx);
        request = request.delegated(ActorChains.delegation(side, chain, workload, snap, ctx.txn()));
      } else if (ctx.txn() != null) {
        request =
            request.delegated(new Delegation(snap.party(workload.name()), List.of(), ctx.txn()));
      }
      if (side != null || ctx.txn() != null) {
        ctx.decisionInputs(DecisionInputs.json(workload, resource, request));
      }
      Decision d = snap.decide(workload, resource, request);
      ctx.decision(d);
      if (!d.allowed()) {
        throw new DeniedException(d.reason(), d.message());
      }
      CredentialProvider provider =
          providers.providerFor(d.credentialKind(), req.endpoint(), req.requestedKind());
      for (String s : requested) {
        if (!d.scopes().contains(s)) {
          throw new DeniedException(
              Reason.INVALID_SCOPE, "scope '" + s + "' is not granted for this resource");
        }
      }
      Instant notAfter = ctx.now().plus(d.maxTtl());
      if (workload.expiresAt() != null && workload.expiresAt().isBefore(notAfter)) {
        notAfter = workload.expiresAt();
      }
      if (side != null) {
        notAfter = ActorChains.downScope(side, resource, requested, notAfter, snap, req, ctx);
      }
      Issuance issuance =
          new Issuance(
              req.grantType(),
              workload,
              resource,
              d,
              requested,
              ctx.now(),
              notAfter,
              KeyBinding.of(ctx.thumbprint(), req.dpop() == null ? null : req.dpop().thumbprint()),
              side == null ? null : side.subject(),
              chain,
              ctx.txn());
      IssuedCredential c;
      Lease lease;
      Map<String, String> connection = Map.of();
      if (provider instanceof TargetCredentialProvider t) {
        TargetCredentialProvider.Prepared p = t.prepare(issuance);
        c = p.credential();
        lease = leases.lease(c, workload, resource);
        leases.createAtTarget(t, issuance, p, lease, ctx);
        connection = c.details();
      } else {
        try {
          c = provider.issue(issuance);
        } catch (TargetException e) {
          // nothing exists anywhere (an upstream token that was not obtained): audited once as a
          // failure
          throw new TargetFailed(e, null, resource.name(), d.credentialKind());
        }
        lease = leases.lease(c, workload, resource);
        if (c.kind().endpoint() == CredentialKind.Endpoint.CREDENTIALS) {
          connection = c.details();
        }
      }
      String scope = requested.isEmpty() ? null : String.join(" ", requested);
      try {
        AuditRecord written = audit.write(ctx.allowed(c, lease, scope));
        if (chains != null) {
          chains.remember(written);
        }
      } catch (RuntimeException e) {
        if (provider instanceof TargetCredentialProvider) {
          // created but never handed out: remove it now rather than at the next sweep
          leases.abandon(lease.id(), false, "issuance could not be audited");
        }
        throw e;
      }
      return new Granted(
          c.value(),
          c.id(),
          c.expiresAt(),
          Math.max(0, c.expiresAt().getEpochSecond() - c.issuedAt().getEpochSecond()),
          scope,
          workload.name(),
          resource.name(),
          d.policy(),
          connection,
          c.kind(),
          AccessTokenProvider.binding(c.details()));
    } catch (TargetFailed f) {
      try {
        audit.write(ctx.failed(f.cause, f.leaseId));
      } catch (RuntimeException auditFailure) {
        f.cause.addSuppressed(auditFailure);
      }
      throw new UnavailableException(
          Reason.TARGET_UNAVAILABLE,
          f.kind == CredentialKind.DATABASE_USER
              ? "the database of resource '"
                  + f.resource
                  + "' cannot issue a user now; nothing was issued; retry later"
              // the provider's message names the resource and says what to do, never a secret
              : f.cause.getMessage() + "; nothing was issued",
          f.cause);
    } catch (DeniedException e) {
      if (chains != null) {
        chains.linkRefusal(req, ctx);
      }
      try {
        audit.write(ctx.denied(e));
      } catch (RuntimeException auditFailure) {
        // the request is refused either way; the failure is logged by the writer
        e.addSuppressed(auditFailure);
      }
      throw e;
    }
  }

  /**
   * Audits a request refused before it reached {@link #grant} (malformed form, repeated parameter,
   * body too large, unsupported grant type), so that every refusal is in the log.
   */
  public void auditRejected(GrantType grant, Reason reason, String message, String sourceAddress) {
    Map<String, String> details = new HashMap<>();
    details.put("message", message);
    details.put("grantType", grant == null ? "" : grant.wire());
    details.put("sourceAddress", sourceAddress == null ? "" : sourceAddress);
    try {
      audit.write(
          AuditEvent.of(
              AuditType.TOKEN_DENIED,
              AuditOutcome.DENY,
              reason,
              clock.instant(),
              "unauthenticated",
              null,
              null,
              details));
    } catch (RuntimeException ignored) {
      // refused either way; the writer logs the failure
    }
  }

  /**
   * Refuses a workload that may not act now.
   *
   * @throws DeniedException {@code workload_suspended}, {@code workload_retired} or {@code
   *     workload_expired}
   */
  public static void checkState(Workload w, Instant now) {
    GrantChecks.checkState(w, now);
  }
}
