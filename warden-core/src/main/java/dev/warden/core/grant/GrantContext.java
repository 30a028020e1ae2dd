package dev.warden.core.grant;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What one grant request has established so far — who attested, as which workload, for which
 * resource, with which decision — so the request is audited exactly once, at its end, with
 * everything known at that point, whether it was allowed or where it was refused. Confined to the
 * request's thread; never shared.
 */
final class GrantContext {
  private final GrantRequest request;
  private final Instant now;
  private String provider;
  private String subject;
  private Map<String, Object> claims = Map.of();
  private String thumbprint;
  private Workload workload;
  private Resource resource;
  private Decision decision;
  private java.time.Instant evidenceExpiresAt;
  // the request's place in a chain of delegated actions (ChainFields)
  private String chainSubject;
  private dev.warden.core.token.Actor actors;
  private String txn;
  private String previousHop;
  private String previousHopHash;
  private String chainRoot;
  private String decisionInputs;

  GrantContext(GrantRequest request, Instant now) {
    this.request = request;
    this.now = now;
  }

  GrantRequest request() {
    return request;
  }

  Instant now() {
    return now;
  }

  /** What the evidence proved before the workload was identified. */
  void attested(String provider, String subject, Map<String, Object> claims, String thumbprint) {
    this.provider = provider;
    this.subject = subject;
    this.claims = claims;
    this.thumbprint = thumbprint;
  }

  /** When the evidence itself stops being valid (the token's exp, the certificate's notAfter). */
  void evidenceExpiresAt(Instant t) {
    this.evidenceExpiresAt = t;
  }

  Instant evidenceExpiresAt() {
    return evidenceExpiresAt;
  }

  /** The delegation the request makes: who it acts for, through which actors. */
  void delegation(String subject, dev.warden.core.token.Actor chain) {
    this.chainSubject = subject;
    this.actors = chain;
  }

  /** Whom a refused delegation was for, when its actors are not known. */
  void delegationSubject(String subject) {
    if (chainSubject == null) {
      this.chainSubject = subject;
    }
  }

  void txn(String txn) {
    this.txn = txn;
  }

  String txn() {
    return txn;
  }

  /**
   * Links the request to the hop before it.
   *
   * @param hash the hex hash of that hop's audit record, or null when it cannot be read
   * @param root the chain's first event, or null when the previous hop is itself the first
   */
  void previousHop(String eventId, String hash, String root) {
    this.previousHop = eventId;
    this.previousHopHash = hash;
    this.chainRoot = root != null ? root : eventId;
  }

  String previousHop() {
    return previousHop;
  }

  /** The CEL {@code request} inputs the decision saw, as JSON, for the audit record. */
  void decisionInputs(String json) {
    this.decisionInputs = json;
  }

  Map<String, Object> claims() {
    return claims;
  }

  String thumbprint() {
    return thumbprint;
  }

  void workload(Workload w) {
    this.workload = w;
  }

  void resource(Resource r) {
    this.resource = r;
  }

  void decision(Decision d) {
    this.decision = d;
  }

  /** The one event of an allowed request, carrying its lease. */
  AuditEvent allowed(IssuedCredential c, Lease lease, String scope) {
    Map<String, String> d = common();
    if (scope != null) {
      d.put("scope", scope);
    }
    d.putAll(c.details());
    d.put("policy", decision.policy());
    d.put("jti", c.id());
    d.put("expiresAt", c.expiresAt().toString());
    d.put("fingerprint", lease.fingerprint());
    d.put("credentialKind", c.kind().wire());
    return AuditEvent.withId(
        c.id(),
        AuditType.TOKEN_ISSUED,
        AuditOutcome.ALLOW,
        Reason.ALLOWED,
        now,
        workload.name(),
        workload.name(),
        resource.name(),
        d,
        lease);
  }

  /**
   * The one event of a request the policy allowed but whose target could not issue (its database is
   * down): nothing was issued. The details say why, never a secret.
   */
  AuditEvent failed(dev.warden.core.error.TargetException e, String leaseId) {
    Map<String, String> d = common();
    d.put("message", cut(e.getMessage() == null ? "" : e.getMessage()));
    d.put("policy", decision.policy());
    d.put("credentialKind", decision.credentialKind().wire());
    if (leaseId != null) {
      d.put("leaseId", leaseId);
    }
    return AuditEvent.of(
        AuditType.CREDENTIAL_FAILED,
        AuditOutcome.FAILURE,
        Reason.TARGET_UNAVAILABLE,
        now,
        workload.name(),
        workload.name(),
        resource.name(),
        d);
  }

  /** The one event of a refused request, with what was known when it was refused. */
  AuditEvent denied(DeniedException e) {
    Map<String, String> d = common();
    d.put("message", e.getMessage());
    if (subject != null) {
      d.put("subject", subject);
    }
    if (resource == null && request.target() != null) {
      d.put("target", cut(request.target()));
    }
    if (request.clientId() != null) {
      d.put("clientId", cut(request.clientId()));
    }
    if (request.dpop() != null) {
      // the key the refused token would have been bound to
      d.put("dpopJkt", request.dpop().thumbprint());
    }
    String actor =
        workload != null
            ? workload.name()
            : subject == null
                ? "unauthenticated"
                : CertificateAttestor.PROVIDER.equals(provider)
                    ? subject
                    : provider + ":" + subject;
    return AuditEvent.of(
        AuditType.TOKEN_DENIED,
        AuditOutcome.DENY,
        e.reason(),
        now,
        actor,
        workload == null ? null : workload.name(),
        resource == null ? null : resource.name(),
        d);
  }

  private Map<String, String> common() {
    Map<String, String> d = new HashMap<>();
    chain(d);
    d.put("grantType", request.grantType().wire());
    d.put("sourceAddress", request.sourceAddress() == null ? "" : request.sourceAddress());
    if (provider != null) {
      d.put("provider", provider);
    }
    return d;
  }

  private void chain(Map<String, String> d) {
    putIf(d, dev.warden.core.audit.ChainFields.SUBJECT, chainSubject);
    if (actors != null) {
      d.put(
          dev.warden.core.audit.ChainFields.ACTORS,
          String.join(" ", actors.subjectsInOrder().reversed()));
      d.put(dev.warden.core.audit.ChainFields.DEPTH, Integer.toString(actors.depth()));
    }
    putIf(d, dev.warden.core.audit.ChainFields.TXN, txn);
    putIf(d, dev.warden.core.audit.ChainFields.PREVIOUS, previousHop);
    putIf(d, dev.warden.core.audit.ChainFields.PREVIOUS_HASH, previousHopHash);
    putIf(d, dev.warden.core.audit.ChainFields.ROOT, chainRoot);
    putIf(d, dev.warden.core.audit.ChainFields.TRACEPARENT, request.hop().traceparent());
    putIf(d, dev.warden.core.audit.ChainFields.INPUTS, decisionInputs);
  }

  private static void putIf(Map<String, String> d, String key, String value) {
    if (value != null) {
      d.put(key, value);
    }
  }

  private static String cut(String s) {
    return s.length() > 256 ? s.substring(0, 256) : s;
  }
}
