package dev.warden.core.oauth;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.McpUris;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import dev.warden.core.policy.Delegation;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.policy.RequestContext;
import dev.warden.core.trust.AttestedIdentity;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The decision at the authorization endpoint: may this user let this MCP client reach this MCP
 * server? The user's verified claims and the client's id go to the same policy engine as every
 * grant ({@link UserPrincipal} says how the user appears there); an allow issues a single-use code
 * that lives {@link #CODE_TTL}, stored only as its hash, and audited ({@code
 * authorization.granted}) before the client learns it. Every refusal is audited ({@code
 * authorization.denied}).
 */
public final class Authorizations {
  /** RFC 6749 section 4.1.2 recommends at most 10 minutes; a client redeems at once. */
  public static final Duration CODE_TTL = Duration.ofSeconds(60);

  private final Supplier<PolicySnapshot> policies;
  private final AuthorizationCodeStore codes;
  private final UserGrantStore users;
  private final AuditWriter audit;
  private final Clock clock;
  private final String trustDomain;
  private final Duration maxTokenTtl;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param maxTokenTtl the longest an access token issued from a code may live, whatever the policy
   *     allows
   */
  public Authorizations(
      Supplier<PolicySnapshot> policies,
      AuthorizationCodeStore codes,
      UserGrantStore users,
      AuditWriter audit,
      Clock clock,
      String trustDomain,
      Duration maxTokenTtl) {
    this.policies = policies;
    this.codes = codes;
    this.users = users;
    this.audit = audit;
    this.clock = clock;
    this.trustDomain = trustDomain;
    this.maxTokenTtl = maxTokenTtl;
  }

  /**
   * What the client asked for, validated up to the user's sign-in.
   *
   * @param resource the canonical URI of the MCP server
   * @param scope space-separated, or null
   */
  public record Request(
      @Nullable String clientId,
      @Nullable String redirectUri,
      @Nullable String resource,
      @Nullable String scope,
      @Nullable String codeChallenge,
      String sourceAddress) {}

  /** A code to send to the client, and its stored record. */
  public record Issued(String code, AuthorizationCode record) {}

  /**
   * The MCP server named by a {@code resource} parameter: a registered resource of kind {@code mcp}
   * whose audience is exactly that URI (scheme and host compared case-insensitively).
   *
   * @throws DeniedException {@code invalid_target} when there is none, or the parameter is not an
   *     absolute https URI without fragment
   */
  public Resource mcpServer(@Nullable String resource) {
    if (resource == null || resource.isEmpty()) {
      throw new DeniedException(
          Reason.INVALID_TARGET,
          "resource is required (RFC 8707): the canonical URI of the"
              + " MCP server the token is for");
    }
    String canonical = McpUris.canonical(resource);
    if (canonical == null) {
      throw new DeniedException(
          Reason.INVALID_TARGET,
          "resource must be an absolute https URI without fragment"
              + " (http only on a loopback host)");
    }
    Resource r = policies.get().resourceByAudience(canonical);
    if (r == null || !Resource.MCP.equals(r.kind())) {
      throw new DeniedException(
          Reason.INVALID_TARGET,
          "no MCP server is registered with the canonical URI "
              + cut(canonical)
              + "; register a resource of kind mcp with that audience");
    }
    return r;
  }

  /**
   * Decides, and on allow issues a code.
   *
   * @throws DeniedException when the policy refuses or a scope is not granted; already audited
   * @throws dev.warden.core.error.UnavailableException when the audit log cannot be written; no
   *     code was issued
   */
  public Issued authorize(Request req, AttestedIdentity user) {
    // the endpoint builds this request from a sealed login state, which holds all three
    String clientId = Objects.requireNonNull(req.clientId(), "a login state's client_id");
    String redirectUri = Objects.requireNonNull(req.redirectUri(), "a login state's redirect_uri");
    String codeChallenge =
        Objects.requireNonNull(req.codeChallenge(), "a login state's code_challenge");
    Instant now = clock.instant();
    String subject = UserPrincipal.subject(user);
    Resource resource = null;
    try {
      resource = mcpServer(req.resource());
      Workload principal = UserPrincipal.workload(user, trustDomain);
      List<String> scopes = scopes(req.scope());
      PolicySnapshot snap = policies.get();
      // the same chain the MCP gateway decides tool calls with: the user as request.subject, the
      // client (never a registered workload) as request.actor_chain[0] and
      // request.delegationChain[0]
      Delegation chain =
          new Delegation(
              UserPrincipal.party(subject, user.selectors()), List.of(snap.party(clientId)), null);
      Decision d =
          snap.decide(
              principal,
              resource,
              new RequestContext(now, req.sourceAddress(), user.claims(), scopes, null, chain));
      if (!d.allowed()) {
        throw new DeniedException(d.reason(), d.message());
      }
      for (String s : scopes) {
        if (!d.scopes().contains(s)) {
          throw new DeniedException(
              Reason.INVALID_SCOPE, "scope '" + cut(s) + "' is not granted for this resource");
        }
      }
      Duration ttl = d.maxTtl().compareTo(maxTokenTtl) < 0 ? d.maxTtl() : maxTokenTtl;
      byte[] raw = new byte[32];
      random.nextBytes(raw);
      String code = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
      String scope = scopes.isEmpty() ? null : String.join(" ", scopes);
      AuthorizationCode record =
          new AuthorizationCode(
              hash(code),
              clientId,
              redirectUri,
              resource.name(),
              resource.audience(),
              scope,
              codeChallenge,
              subject,
              d.policy(),
              now,
              now.plus(CODE_TTL),
              ttl,
              UUID.randomUUID().toString(),
              null,
              null);
      codes.deleteExpired(now.minus(Duration.ofHours(1)));
      users.deleteExpired(now);
      // what the MCP gateway will decide this user's tool calls on, kept for the token's life
      users.insert(
          new UserGrant(
              record.tokenId(),
              subject,
              user.provider(),
              clientId,
              user.selectors(),
              user.claims(),
              record.expiresAt().plus(ttl)));
      codes.insert(record);
      Map<String, String> details = details(req, subject, user.provider());
      details.put("policy", d.policy());
      details.put("tokenId", record.tokenId());
      if (scope != null) {
        details.put("scope", scope);
      }
      audit.write(
          AuditEvent.of(
              AuditType.AUTHORIZATION_GRANTED,
              AuditOutcome.ALLOW,
              Reason.ALLOWED,
              now,
              subject,
              null,
              resource.name(),
              details));
      return new Issued(code, record);
    } catch (DeniedException e) {
      denied(req, e, subject, user.provider(), resource);
      throw e;
    }
  }

  /**
   * Audits a request refused at the authorization endpoint ({@code authorization.denied}); never
   * throws.
   *
   * @param subject the user when known, or null
   * @param provider the trust provider the user signed in at, or null
   * @param resource the resource when resolved, or null
   */
  public void denied(
      Request req,
      DeniedException e,
      @Nullable String subject,
      @Nullable String provider,
      @Nullable Resource resource) {
    Map<String, String> details = details(req, subject, provider);
    details.put("message", e.getMessage());
    if (resource == null && req.resource() != null) {
      details.put("target", cut(req.resource()));
    }
    try {
      audit.write(
          AuditEvent.of(
              AuditType.AUTHORIZATION_DENIED,
              AuditOutcome.DENY,
              e.reason(),
              clock.instant(),
              subject == null ? "unauthenticated" : subject,
              null,
              resource == null ? null : resource.name(),
              details));
    } catch (RuntimeException auditFailure) {
      e.addSuppressed(auditFailure);
    }
  }

  private static Map<String, String> details(
      Request req, @Nullable String subject, @Nullable String provider) {
    Map<String, String> d = new HashMap<>();
    d.put("sourceAddress", req.sourceAddress() == null ? "" : req.sourceAddress());
    if (req.clientId() != null) {
      d.put("clientId", cut(req.clientId()));
    }
    if (req.redirectUri() != null) {
      d.put("redirectUri", cut(req.redirectUri()));
    }
    if (subject != null) {
      d.put("subject", cut(subject));
    }
    if (provider != null) {
      d.put("provider", provider);
    }
    return d;
  }

  /** SHA-256 of a code, the key it is stored under. */
  static byte[] hash(String code) {
    return Hashes.sha256(code.getBytes(StandardCharsets.US_ASCII));
  }

  static List<String> scopes(@Nullable String scope) {
    if (scope == null || scope.isBlank()) {
      return List.of();
    }
    return List.copyOf(new LinkedHashSet<>(Arrays.asList(scope.trim().split(" +"))));
  }

  static String cut(String s) {
    return s.length() > 256 ? s.substring(0, 256) : s;
  }
}
