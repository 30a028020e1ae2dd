package dev.warden.core.grant;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.UnavailableException;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.policy.RequestContext;
import dev.warden.core.trust.TrustProviders;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The main flow, secretless access, as one path for every kind of evidence and credential: attest
 * the evidence ({@link Attestor}), identify exactly one workload, decide by policy, mint the
 * credential through the {@link CredentialProvider} of the granted kind, and make the one audit
 * event (with the lease) durable before the credential is returned. Every outcome, allow or deny,
 * is audited exactly once, with its reason code, from the request's {@link GrantContext}.
 */
public final class TokenService {
  private final Supplier<PolicySnapshot> policies;
  private final PlatformTokenAttestor platformTokens;
  private final CertificateAttestor certificates;
  private final Map<CredentialKind, CredentialProvider> providers;
  private final AuditWriter audit;
  private final Fingerprinter fingerprinter;
  private final Clock clock;
  private final TargetLeaseStore intents;
  private final Chains chains;
  private final SubjectTokens subjects;
  private final JwtSvidAttestor jwtSvids;
  private final dev.warden.core.audit.HopLinks hops;

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
    this.intents = intents;
    this.chains = chains;
    this.subjects = new SubjectTokens(trust, chains == null ? null : chains.wardenTokens());
    this.hops = chains == null ? null : new dev.warden.core.audit.HopLinks(chains.audit());
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
    this.providers = new EnumMap<>(CredentialKind.class);
    for (CredentialProvider p : providers) {
      if (this.providers.put(p.kind(), p) != null) {
        throw new IllegalArgumentException("two credential providers for " + p.kind());
      }
      if (p instanceof TargetCredentialProvider && intents == null) {
        throw new IllegalArgumentException(
            p.kind() + " lives at its target: its leases need a TargetLeaseStore");
      }
    }
    this.audit = audit;
    this.fingerprinter = fingerprinter;
    this.clock = clock;
  }

  /**
   * True if {@code token} says it was issued by this server (unverified: only to choose how to read
   * it); false when delegation is off.
   */
  public boolean issuedHere(String token) {
    return chains != null && chains.wardenTokens().claimsToBeOurs(token);
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
    return providers.get(kind) instanceof TargetCredentialProvider t ? t : null;
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
      if ((ex != null || req.hop().transactionToken() != null) && chains == null) {
        throw new DeniedException(
            Reason.INVALID_REQUEST,
            "delegation and transaction tokens are not enabled on" + " this server");
      }
      linkTransaction(req.hop(), ctx);
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
          link(side.previousHop(), ctx);
        }
        if (ctx.txn() == null) {
          ctx.txn(side.txn());
        }
      }
      boolean txnRequest = ex != null && ex.purpose() == GrantRequest.Purpose.TRANSACTION_TOKEN;
      Resource resource =
          resolve(
              snap,
              txnRequest && chains.trustDomain().equals(req.target())
                  ? trustDomainUri()
                  : req.target());
      ctx.resource(resource);
      List<String> requested = scopes(req.scope());
      if (txnRequest) {
        return transactionToken(req, ex, side, workload, resource, requested, snap, ctx);
      }
      RequestContext request =
          new RequestContext(ctx.now(), req.sourceAddress(), ctx.claims(), requested, List.of());
      dev.warden.core.token.Actor chain = null;
      if (side != null) {
        chain = delegate(side, workload, resource, ctx);
        List<dev.warden.core.policy.Delegation.Party> parties = new java.util.ArrayList<>();
        for (dev.warden.core.token.Actor a = chain; a != null; a = a.prior()) {
          parties.add(
              a == chain
                  ? new dev.warden.core.policy.Delegation.Party(
                      workload.name(), snap.party(workload.name()).selectors(), true)
                  : snap.party(a.subject()));
        }
        request =
            request.delegated(
                new dev.warden.core.policy.Delegation(
                    snap.party(side.subject()), parties, ctx.txn()));
      } else if (ctx.txn() != null) {
        request =
            request.delegated(
                new dev.warden.core.policy.Delegation(
                    snap.party(workload.name()), List.of(), ctx.txn()));
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
          providerFor(d.credentialKind(), req.endpoint(), req.requestedKind());
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
        notAfter = downScope(side, resource, requested, notAfter, snap, req, ctx);
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
              ctx.thumbprint(),
              side == null ? null : side.subject(),
              chain,
              ctx.txn());
      IssuedCredential c;
      Lease lease;
      Map<String, String> connection = Map.of();
      if (provider instanceof TargetCredentialProvider t) {
        TargetCredentialProvider.Prepared p = t.prepare(issuance);
        c = p.credential();
        lease = lease(c, workload, resource);
        createAtTarget(t, issuance, p, lease, ctx);
        connection = c.details();
      } else {
        try {
          c = provider.issue(issuance);
        } catch (dev.warden.core.error.TargetException e) {
          // nothing exists anywhere (an upstream token that was not obtained): audited once as a
          // failure
          throw new TargetFailed(e, null, resource.name(), d.credentialKind());
        }
        lease = lease(c, workload, resource);
        if (c.kind().endpoint() == CredentialKind.Endpoint.CREDENTIALS) {
          connection = c.details();
        }
      }
      String scope = requested.isEmpty() ? null : String.join(" ", requested);
      try {
        dev.warden.core.audit.AuditRecord written = audit.write(ctx.allowed(c, lease, scope));
        if (hops != null && written != null) {
          hops.remember(written);
        }
      } catch (RuntimeException e) {
        if (provider instanceof TargetCredentialProvider) {
          // created but never handed out: remove it now rather than at the next sweep
          abandon(lease.id(), false, "issuance could not be audited");
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
          c.kind());
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
      linkRefusal(req, ctx);
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
   * Checks what a delegation may do before policy sees it: {@code may_act}, the chain's depth, the
   * audience, and a resource that can carry an {@code act} at all.
   *
   * @return the chain of the issued token, the requesting workload outermost
   */
  private dev.warden.core.token.Actor delegate(
      SubjectSide side, Workload actor, Resource resource, GrantContext ctx) {
    if (side.mayAct() != null && !side.mayAct().equals(actor.name())) {
      throw new DeniedException(
          Reason.MAY_ACT_VIOLATED,
          "the subject token allows only "
              + side.mayAct()
              + " to act for "
              + side.subject()
              + " (may_act), not "
              + actor.name());
    }
    int depth = side.prior() == null ? 1 : side.prior().depth() + 1;
    if (depth > chains.maxDepth()) {
      throw new DeniedException(
          Reason.DELEGATION_TOO_DEEP,
          "the chain would be "
              + depth
              + " actors deep; this"
              + " server issues at most "
              + chains.maxDepth()
              + " (delegation.maxDepth)");
    }
    dev.warden.core.token.Actor chain =
        side.prior() == null
            ? dev.warden.core.token.Actor.of(actor.name())
            : side.prior().then(actor.name());
    ctx.delegation(side.subject(), chain);
    if (side.audiences() != null && !side.audiences().contains(resource.audience())) {
      throw new DeniedException(
          Reason.AUDIENCE_NOT_DELEGATED,
          "the subject token was issued for "
              + side.audiences()
              + ", not for "
              + resource.audience()
              + "; an exchange never widens the audience");
    }
    if (resource.cloud() != null) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          "resource '"
              + resource.name()
              + "' is a cloud"
              + " federation target; clouds read no act claim, so delegated tokens are not issued for it");
    }
    return chain;
  }

  /**
   * Never wider than the subject: scopes within the subject token's (or, for a platform subject
   * token, within what the subject's own policy grants), and no later than the subject token, the
   * actor's own evidence, or the subject's own policy allow.
   */
  private Instant downScope(
      SubjectSide side,
      Resource resource,
      List<String> requested,
      Instant notAfter,
      PolicySnapshot snap,
      GrantRequest req,
      GrantContext ctx) {
    List<String> bound = side.scopes();
    if (side.audiences() == null) {
      Decision own =
          snap.decide(
              side.workload(),
              resource,
              new RequestContext(ctx.now(), req.sourceAddress(), Map.of(), requested, List.of()));
      if (!own.allowed()) {
        throw new DeniedException(
            own.reason(),
            "the subject "
                + side.subject()
                + " may not reach resource '"
                + resource.name()
                + "' itself, so no one may act for it there: "
                + own.message());
      }
      bound = own.scopes();
      notAfter = min(notAfter, ctx.now().plus(own.maxTtl()));
    }
    for (String s : requested) {
      if (!bound.contains(s)) {
        throw new DeniedException(
            Reason.INVALID_SCOPE,
            "scope '"
                + s
                + "' is wider than the subject's "
                + (side.audiences() == null ? "own grant" : "token")
                + " ("
                + String.join(" ", bound)
                + "); an exchange never widens scopes");
      }
    }
    notAfter = min(notAfter, side.expiresAt());
    return ctx.evidenceExpiresAt() == null ? notAfter : min(notAfter, ctx.evidenceExpiresAt());
  }

  private static Instant min(Instant a, Instant b) {
    return b.isBefore(a) ? b : a;
  }

  /**
   * A presented {@code Txn-Token}: verified as Warden's, for this trust domain; its hop is the
   * previous one.
   */
  private void linkTransaction(GrantRequest.Hop hop, GrantContext ctx) {
    if (hop.transactionToken() == null) {
      return;
    }
    dev.warden.core.token.VerifiedWardenToken t;
    try {
      t =
          chains
              .wardenTokens()
              .verify(
                  hop.transactionToken().reveal(),
                  dev.warden.core.token.TransactionTokenMinter.TYP);
    } catch (DeniedException e) {
      throw new DeniedException(
          Reason.INVALID_GRANT, "the Txn-Token does not hold: " + e.getMessage());
    }
    if (!t.audiences().contains(trustDomainUri()) || t.txn() == null) {
      throw new DeniedException(
          Reason.INVALID_GRANT,
          "the Txn-Token is not for trust domain " + chains.trustDomain() + " or has no txn");
    }
    ctx.txn(t.txn());
    link(t.jti(), ctx);
  }

  /**
   * The audience of transaction tokens: {@code spiffe://<trust domain>}, a URI as resources'
   * audiences are.
   */
  private String trustDomainUri() {
    return "spiffe://" + chains.trustDomain();
  }

  /**
   * A refused exchange is still a hop of the chain its subject token belongs to (an actor token for
   * the wrong audience, an expired actor): link the deny event when the subject token is Warden's
   * and verifies, so the refusal shows in {@code warden audit chain}. Best effort, never a new
   * reason to refuse.
   */
  private void linkRefusal(GrantRequest req, GrantContext ctx) {
    if (chains == null || ctx.previousHop() != null || req.exchange() == null) {
      return;
    }
    String token = req.exchange().subjectToken().reveal();
    if (!chains.wardenTokens().claimsToBeOurs(token)) {
      return;
    }
    try {
      dev.warden.core.token.VerifiedWardenToken t = chains.wardenTokens().verify(token, null);
      ctx.delegationSubject(t.subject());
      link(t.jti(), ctx);
    } catch (RuntimeException ignored) {
      // an invalid subject token links to nothing; the refusal is audited either way
    }
  }

  /** Links the request to the audit record of the event that issued the token it presents. */
  private void link(String eventId, GrantContext ctx) {
    java.util.Optional<dev.warden.core.audit.HopLinks.Link> l = hops.of(eventId);
    ctx.previousHop(
        eventId,
        l.map(dev.warden.core.audit.HopLinks.Link::hash).orElse(null),
        l.map(dev.warden.core.audit.HopLinks.Link::root).orElse(null));
  }

  /**
   * A transaction token (draft-ietf-oauth-transaction-tokens section 7): asked for with the trust
   * domain as audience, allowed by the policies of the resource registered with that audience, at
   * most five minutes, with {@code req_wl}, {@code tctx} and {@code rctx}, audited as a hop.
   */
  private Granted transactionToken(
      GrantRequest req,
      GrantRequest.Exchange ex,
      SubjectSide side,
      Workload workload,
      Resource resource,
      List<String> requested,
      PolicySnapshot snap,
      GrantContext ctx) {
    if (!trustDomainUri().equals(resource.audience())) {
      throw new DeniedException(
          Reason.UNKNOWN_RESOURCE,
          "a transaction token is asked for with the trust domain as"
              + " audience ("
              + chains.trustDomain()
              + "), not "
              + resource.audience());
    }
    if (requested.isEmpty()) {
      throw new DeniedException(
          Reason.INVALID_REQUEST, "scope is required: the purpose of the transaction");
    }
    com.fasterxml.jackson.databind.node.ObjectNode tctx =
        dev.warden.core.token.TransactionTokenMinter.jsonObject(
            "request_details", ex.requestDetails());
    com.fasterxml.jackson.databind.node.ObjectNode rctx =
        dev.warden.core.token.TransactionTokenMinter.jsonObject(
            "request_context", ex.requestContext());
    String txn = java.util.UUID.randomUUID().toString();
    ctx.txn(txn);
    ctx.delegation(side.subject(), null);
    RequestContext request =
        new RequestContext(ctx.now(), req.sourceAddress(), ctx.claims(), requested, List.of())
            .delegated(
                new dev.warden.core.policy.Delegation(snap.party(side.subject()), List.of(), txn));
    ctx.decisionInputs(DecisionInputs.json(workload, resource, request));
    Decision d = snap.decide(workload, resource, request);
    ctx.decision(d);
    if (!d.allowed()) {
      throw new DeniedException(d.reason(), d.message());
    }
    for (String s : requested) {
      if (!d.scopes().contains(s)) {
        throw new DeniedException(
            Reason.INVALID_SCOPE,
            "scope '" + s + "' is not granted for transactions of " + workload.name());
      }
    }
    Instant iat = Instant.ofEpochSecond(ctx.now().getEpochSecond());
    Instant exp =
        min(
            iat.plus(d.maxTtl()),
            iat.plus(dev.warden.core.token.TransactionTokenMinter.MAX_LIFETIME));
    exp = min(exp, side.expiresAt());
    if (workload.expiresAt() != null) {
      exp = min(exp, workload.expiresAt());
    }
    exp = Instant.ofEpochSecond(exp.getEpochSecond());
    if (rctx == null) {
      rctx = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    }
    // what Warden itself saw is authoritative over what the requester said
    rctx.put("req_ip", req.sourceAddress() == null ? "" : req.sourceAddress());
    rctx.put(
        "authn", req.evidence() instanceof Evidence.ClientCertificate ? "x509-svid" : "jwt-bearer");
    String scope = String.join(" ", requested);
    String jti = java.util.UUID.randomUUID().toString();
    dev.warden.core.token.KeyMaterial key = chains.keys().keyset().active();
    dev.warden.core.crypto.Secret token =
        dev.warden.core.token.TransactionTokenMinter.mint(
            key,
            new dev.warden.core.token.TransactionTokenMinter.Claims(
                chains.issuer(),
                side.subject(),
                trustDomainUri(),
                txn,
                scope,
                workload.name(),
                tctx,
                rctx,
                jti,
                iat,
                exp));
    IssuedCredential c =
        new IssuedCredential(
            CredentialKind.ACCESS_TOKEN,
            token,
            jti,
            iat,
            exp,
            Map.of("kid", key.kid(), "tokenType", "txn_token"));
    Lease lease = lease(c, workload, resource);
    dev.warden.core.audit.AuditRecord written = audit.write(ctx.allowed(c, lease, scope));
    if (written != null) {
      hops.remember(written);
    }
    return new Granted(
        c.value(),
        jti,
        exp,
        Math.max(0, exp.getEpochSecond() - iat.getEpochSecond()),
        scope,
        workload.name(),
        resource.name(),
        d.policy(),
        Map.of(),
        CredentialKind.ACCESS_TOKEN);
  }

  private Lease lease(IssuedCredential c, Workload workload, Resource resource) {
    return new Lease(
        c.id(),
        c.kind(),
        workload.name(),
        resource.name(),
        c.issuedAt(),
        c.expiresAt(),
        null,
        null,
        fingerprinter.fingerprint(c.value()));
  }

  /**
   * Intent before effect: the lease is durable as {@code issuing} (and within the quota) before the
   * credential is created at its target. A creation that fails gives the intent up: revoked at once
   * when the target certainly holds nothing, else left for the reaper to remove.
   */
  private void createAtTarget(
      TargetCredentialProvider t,
      Issuance issuance,
      TargetCredentialProvider.Prepared p,
      Lease lease,
      GrantContext ctx) {
    if (!intents.recordIntent(lease, p.target(), p.maxLive(), ctx.now())) {
      throw new DeniedException(
          Reason.QUOTA_EXCEEDED,
          "workload "
              + lease.workload()
              + " already holds "
              + p.maxLive()
              + " live credentials for resource '"
              + lease.resource()
              + "' (spec.database.maxLeasesPerWorkload); reuse one, or revoke some or let them expire");
    }
    try {
      t.create(issuance, p);
    } catch (dev.warden.core.error.TargetException e) {
      abandon(lease.id(), !e.maybeChanged(), "not issued: " + e.getMessage());
      throw new TargetFailed(e, lease.id(), lease.resource(), lease.kind());
    } catch (RuntimeException e) {
      abandon(lease.id(), false, "not issued: " + e.getClass().getSimpleName());
      throw e;
    }
  }

  /**
   * Best effort: if the store cannot take it now, the stale intent is found by the reaper's sweep.
   */
  private void abandon(String leaseId, boolean nothingCreated, String reason) {
    try {
      intents.abandon(
          leaseId,
          clock.instant(),
          reason.length() > 500 ? reason.substring(0, 500) : reason,
          nothingCreated);
    } catch (RuntimeException ignored) {
      // the intent stays issuing; the reaper's sweep removes what it may have created
    }
  }

  /** Carries a target's failure out of the flow, to be audited once as such. */
  private static final class TargetFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient dev.warden.core.error.TargetException cause;
    final String leaseId;
    final String resource;
    final CredentialKind kind;

    TargetFailed(
        dev.warden.core.error.TargetException cause,
        String leaseId,
        String resource,
        CredentialKind kind) {
      super(null, null, false, false);
      this.cause = cause;
      this.leaseId = leaseId;
      this.resource = resource;
      this.kind = kind;
    }
  }

  /**
   * The token endpoint issues Warden's tokens; an X.509-SVID comes from the agent, and the JWT-SVID
   * of a policy is served there too (here it is an access token, as it always was). Credentials the
   * resource itself understands (database users, brokered secrets, upstream tokens) are handed out
   * only at {@code /v1/credentials}.
   */
  private CredentialProvider providerFor(
      CredentialKind kind, CredentialKind.Endpoint endpoint, CredentialKind requestedKind) {
    if (kind.endpoint() != endpoint) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          "the policy grants a "
              + kind.wire()
              + " for this resource; request it at "
              + (kind.endpoint() == CredentialKind.Endpoint.TOKEN
                  ? "POST /oauth2/token"
                  : "POST /v1/credentials (see docs/credentials.md)"));
    }
    if (requestedKind != null && requestedKind != kind) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          "the policy grants a "
              + kind.wire()
              + " for this resource, not a "
              + requestedKind.wire());
    }
    CredentialProvider p =
        providers.get(kind == CredentialKind.JWT_SVID ? CredentialKind.ACCESS_TOKEN : kind);
    if (p == null) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          kind == CredentialKind.X509_SVID
              ? "the policy grants an X.509-SVID, which the agent issues; the token endpoint issues tokens only"
              : "the policy grants a "
                  + kind.name().toLowerCase(java.util.Locale.ROOT)
                  + ", which this server has no provider for");
    }
    return p;
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
   * RFC 7521 section 4.2: a {@code client_id} that does not identify the authenticated client is
   * {@code invalid_client}. The authenticated client is the workload the evidence attested (its
   * SPIFFE ID); leaving {@code client_id} out is fine.
   */
  private static void requireClientIdNames(String clientId, String attested) {
    if (clientId != null && !clientId.equals(attested)) {
      throw new DeniedException(
          Reason.CLIENT_ID_MISMATCH,
          "client_id does not name the authenticated client, "
              + attested
              + "; send that SPIFFE ID as client_id or leave client_id out (RFC 7521 section 4.2)");
    }
  }

  /**
   * Refuses a workload that may not act now.
   *
   * @throws DeniedException {@code workload_suspended}, {@code workload_retired} or {@code
   *     workload_expired}
   */
  public static void checkState(Workload w, Instant now) {
    switch (w.state()) {
      case SUSPENDED ->
          throw new DeniedException(
              Reason.WORKLOAD_SUSPENDED,
              "workload " + w.name() + " is suspended; its owner must reactivate it");
      case RETIRED ->
          throw new DeniedException(
              Reason.WORKLOAD_RETIRED, "workload " + w.name() + " is retired");
      default -> {
        if (w.expiresAt() != null && !now.isBefore(w.expiresAt())) {
          throw new DeniedException(
              Reason.WORKLOAD_EXPIRED,
              "workload "
                  + w.name()
                  + " expired at "
                  + w.expiresAt()
                  + "; its owner must renew it");
        }
      }
    }
  }

  private static Resource resolve(PolicySnapshot snap, String target) {
    if (target == null || target.isEmpty()) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "name the resource with the 'resource' (RFC 8707) or 'audience' parameter");
    }
    Resource r = snap.resourceByAudience(target);
    if (r == null) {
      r = snap.resource(target);
      // an MCP server is named by its canonical URI only (RFC 8707, MCP authorization), never by
      // name
      if (r != null && Resource.MCP.equals(r.kind())) {
        r = null;
      }
    }
    if (r == null) {
      throw new DeniedException(
          Reason.UNKNOWN_RESOURCE,
          "no resource is registered for '"
              + (target.length() > 200 ? target.substring(0, 200) + "..." : target)
              + "'");
    }
    return r;
  }

  private static List<String> scopes(String scope) {
    if (scope == null || scope.isBlank()) {
      return List.of();
    }
    Set<String> s = new LinkedHashSet<>(Arrays.asList(scope.trim().split(" +")));
    return List.copyOf(s);
  }
}
