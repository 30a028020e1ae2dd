package dev.warden.core.grant;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.lease.Lease;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.policy.RequestContext;
import dev.warden.core.token.AccessTokenMinter;
import dev.warden.core.token.KeyManager;
import dev.warden.core.token.KeyMaterial;
import dev.warden.core.trust.AttestedIdentity;
import dev.warden.core.trust.TrustProviders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The main flow, secretless access: verify the platform evidence, identify exactly one workload,
 * decide by policy, mint a short-lived token, and make the audit event (with the lease) durable
 * before the token is returned. Every outcome, allow or deny, is audited with its reason code.
 */
public final class TokenService {
  private final Supplier<TrustProviders> trust;
  private final Supplier<PolicySnapshot> policies;
  private final KeyManager keys;
  private final AuditWriter audit;
  private final Fingerprinter fingerprinter;
  private final Clock clock;
  private final String issuer;
  private final String tokenType;
  private volatile Supplier<List<java.security.cert.X509Certificate>> svidBundle = List::of;

  public TokenService(Supplier<TrustProviders> trust, Supplier<PolicySnapshot> policies, KeyManager keys,
      AuditWriter audit, Fingerprinter fingerprinter, Clock clock, String issuer) {
    this(trust, policies, keys, audit, fingerprinter, clock, issuer, "at+jwt");
  }

  /**
   * @param keys the access-token keys (never the JWT-SVID keys)
   * @param tokenType the header {@code typ} of issued tokens: {@code at+jwt} or {@code JWT}
   * @throws IllegalArgumentException when {@code keys} are not access-token keys
   */
  public TokenService(Supplier<TrustProviders> trust, Supplier<PolicySnapshot> policies, KeyManager keys,
      AuditWriter audit, Fingerprinter fingerprinter, Clock clock, String issuer, String tokenType) {
    if (keys.purpose() != dev.warden.core.keys.KeyPurpose.ACCESS_TOKEN) {
      throw new IllegalArgumentException("access tokens must be signed with access-token keys, not " + keys.purpose());
    }
    this.tokenType = tokenType;
    this.trust = trust;
    this.policies = policies;
    this.keys = keys;
    this.audit = audit;
    this.fingerprinter = fingerprinter;
    this.clock = clock;
    this.issuer = issuer;
  }

  /**
   * Enables RFC 8705 {@code tls_client_auth}: a client certificate chaining to these authorities
   * (the trust domain's X.509 bundle) authenticates the workload it names.
   */
  public void trustClientCertificatesFrom(Supplier<List<java.security.cert.X509Certificate>> bundle) {
    this.svidBundle = bundle;
  }

  /** RFC 8705 §3.1: base64url SHA-256 of the certificate's DER, the {@code x5t#S256} confirmation. */
  public static String thumbprint(java.security.cert.X509Certificate c) {
    try {
      return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
          dev.warden.core.crypto.Hashes.sha256(c.getEncoded()));
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Grants a credential or refuses with a reason.
   *
   * @throws DeniedException when the evidence, identity or policy refuses; already audited
   * @throws dev.warden.core.error.UnavailableException when the audit log cannot be written;
   *     nothing was issued
   */
  public Granted grant(GrantRequest req) {
    Instant now = clock.instant();
    AttestedIdentity id = null;
    Workload workload = null;
    Resource resource = null;
    String certSubject = null;
    try {
      PolicySnapshot snap = policies.get();
      String thumbprint = null;
      Map<String, Object> claims;
      if (req.evidence() == null && req.clientCertificates() != null && !req.clientCertificates().isEmpty()) {
        dev.warden.core.model.SpiffeId sid = dev.warden.core.pki.SvidVerifier.verify(req.clientCertificates(),
            svidBundle.get(), now);
        certSubject = sid.toString();
        requireClientIdNames(req.clientId(), certSubject);
        workload = snap.workload(certSubject);
        if (workload == null) {
          throw new DeniedException(Reason.UNKNOWN_WORKLOAD, "no workload is registered as " + certSubject);
        }
        thumbprint = thumbprint(req.clientCertificates().getFirst());
        claims = Map.of();
      } else {
        if (req.evidence() == null) {
          throw new DeniedException(Reason.INVALID_REQUEST,
              "authenticate with client_assertion (RFC 7523) or a client certificate over mTLS (RFC 8705)");
        }
        id = trust.get().verify(req.evidence().reveal());
        workload = snap.identify(id.selectors());
        requireClientIdNames(req.clientId(), workload.name());
        claims = id.claims();
      }
      checkState(workload, now);
      resource = resolve(snap, req.target());
      List<String> requested = scopes(req.scope());
      RequestContext ctx = new RequestContext(now, req.sourceAddress(), claims, requested, List.of());
      Decision d = snap.decide(workload, resource, ctx);
      if (!d.allowed()) {
        throw new DeniedException(d.reason(), d.message());
      }
      if (d.credentialKind() == CredentialKind.X509_SVID) {
        throw new DeniedException(Reason.CREDENTIAL_KIND_UNSUPPORTED,
            "the policy grants an X.509-SVID, which the agent issues; the token endpoint issues tokens only");
      }
      for (String s : requested) {
        if (!d.scopes().contains(s)) {
          throw new DeniedException(Reason.INVALID_SCOPE, "scope '" + s + "' is not granted for this resource");
        }
      }
      return issue(req, id == null ? "mtls" : id.provider(), thumbprint, workload, resource, d, requested, now);
    } catch (DeniedException e) {
      auditDeny(req, id, certSubject, workload, resource, e, now);
      throw e;
    }
  }

  private Granted issue(GrantRequest req, String provider, String thumbprint, Workload w, Resource r, Decision d,
      List<String> scopes, Instant now) {
    Duration ttl = d.maxTtl();
    Instant exp = now.plus(ttl);
    if (w.expiresAt() != null && w.expiresAt().isBefore(exp)) {
      exp = w.expiresAt();
    }
    // whole seconds: JWT NumericDate, and expires_in must agree with exp exactly
    Instant iat = Instant.ofEpochSecond(now.getEpochSecond());
    exp = Instant.ofEpochSecond(exp.getEpochSecond());
    String jti = UUID.randomUUID().toString();
    String scope = scopes.isEmpty() ? null : String.join(" ", scopes);
    KeyMaterial key = keys.keyset().active();
    // client_id is the attested identity, never the request's parameter (checked equal, or absent)
    Secret token = AccessTokenMinter.mint(key, new AccessTokenMinter.Claims(issuer, w.name(), r.audience(), w.name(),
        scope, jti, iat, exp, thumbprint), tokenType);
    String fp = fingerprinter.fingerprint(token);
    String kind = d.credentialKind() == CredentialKind.JWT_SVID ? "jwt_svid" : "access_token";
    Lease lease = new Lease(jti, kind, w.name(), r.name(), iat, exp, null, null, fp);
    Map<String, String> details = new HashMap<>();
    details.put("policy", d.policy());
    details.put("jti", jti);
    details.put("expiresAt", exp.toString());
    details.put("fingerprint", fp);
    details.put("kid", key.kid());
    details.put("grantType", req.grantType().wire());
    details.put("provider", provider);
    if (thumbprint != null) {
      details.put("x5t#S256", thumbprint);
    }
    details.put("sourceAddress", req.sourceAddress() == null ? "" : req.sourceAddress());
    if (scope != null) {
      details.put("scope", scope);
    }
    audit.write(new AuditEvent(jti, now, "token.issued", "allow", Reason.ALLOWED.code(), w.name(), w.name(), r.name(),
        details, lease));
    return new Granted(token, jti, exp, Math.max(0, exp.getEpochSecond() - iat.getEpochSecond()), scope, w.name(),
        r.name(), d.policy());
  }

  private void auditDeny(GrantRequest req, AttestedIdentity id, String certSubject, Workload w, Resource r,
      DeniedException e, Instant now) {
    Map<String, String> details = new HashMap<>();
    details.put("message", e.getMessage());
    details.put("grantType", req.grantType().wire());
    details.put("sourceAddress", req.sourceAddress() == null ? "" : req.sourceAddress());
    if (id != null) {
      details.put("provider", id.provider());
      details.put("subject", id.subject());
    }
    if (r == null && req.target() != null) {
      details.put("target", cut(req.target()));
    }
    if (req.clientId() != null) {
      details.put("clientId", cut(req.clientId()));
    }
    if (certSubject != null) {
      details.put("provider", "mtls");
      details.put("subject", certSubject);
    }
    String actor = w != null ? w.name() : id != null ? id.provider() + ":" + id.subject()
        : certSubject != null ? certSubject : "unauthenticated";
    try {
      audit.write(new AuditEvent(UUID.randomUUID().toString(), now, "token.denied", "deny", e.reason().code(), actor,
          w == null ? null : w.name(), r == null ? null : r.name(), details, null));
    } catch (RuntimeException auditFailure) {
      // the request is refused either way; the failure is logged by the writer
      e.addSuppressed(auditFailure);
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
      audit.write(new AuditEvent(UUID.randomUUID().toString(), clock.instant(), "token.denied", "deny", reason.code(),
          "unauthenticated", null, null, details, null));
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
      throw new DeniedException(Reason.CLIENT_ID_MISMATCH, "client_id does not name the authenticated client, "
          + attested + "; send that SPIFFE ID as client_id or leave client_id out (RFC 7521 section 4.2)");
    }
  }

  private static String cut(String s) {
    return s.length() > 256 ? s.substring(0, 256) : s;
  }

  private static void checkState(Workload w, Instant now) {
    switch (w.state()) {
      case SUSPENDED -> throw new DeniedException(Reason.WORKLOAD_SUSPENDED,
          "workload " + w.name() + " is suspended; its owner must reactivate it");
      case RETIRED -> throw new DeniedException(Reason.WORKLOAD_RETIRED, "workload " + w.name() + " is retired");
      default -> {
        if (w.expiresAt() != null && !now.isBefore(w.expiresAt())) {
          throw new DeniedException(Reason.WORKLOAD_EXPIRED,
              "workload " + w.name() + " expired at " + w.expiresAt() + "; its owner must renew it");
        }
      }
    }
  }

  private static Resource resolve(PolicySnapshot snap, String target) {
    if (target == null || target.isEmpty()) {
      throw new DeniedException(Reason.INVALID_REQUEST,
          "name the resource with the 'resource' (RFC 8707) or 'audience' parameter");
    }
    Resource r = snap.resourceByAudience(target);
    if (r == null) {
      r = snap.resource(target);
    }
    if (r == null) {
      throw new DeniedException(Reason.UNKNOWN_RESOURCE, "no resource is registered for '"
          + (target.length() > 200 ? target.substring(0, 200) + "..." : target) + "'");
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
