package dev.warden.core.upstream;

import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.grant.CredentialProvider;
import dev.warden.core.grant.Issuance;
import dev.warden.core.grant.IssuedCredential;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Durations;
import dev.warden.core.model.OAuthClient;
import dev.warden.core.model.Resource;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Access tokens of a third-party OAuth server for {@code oauth-client} resources: Warden is the
 * OAuth client there, authenticates with the client secret or private key it holds sealed (a target
 * secret), and hands the workload the token, never the secret.
 *
 * <p>Design note (decision 114). One token per (resource, client, scope set) is cached and reused
 * while it has a margin of life left ({@link UpstreamTokenCache}); concurrent grants share one
 * upstream request. A bearer token Warden did not mint cannot be shortened, so the credential's
 * expiry is the upstream token's own, never a pretended shorter one; a policy whose {@code maxTtl}
 * is shorter than the tokens the upstream issues is refused with a reason instead (and so is a
 * workload that expires before the token would). Each grant is its own lease (its own id) with the
 * token's fingerprint, so many leases can share one fingerprint.
 *
 * <p>Why it is over 400 lines: the provider's checks of a grant and the upstream token request with
 * its reasons are one path from policy to lease; the cache is already apart ({@link
 * UpstreamTokenCache}).
 */
public final class UpstreamTokenProvider implements CredentialProvider {
  private final UpstreamTokenClient client;
  private final Function<String, Optional<Secret>> secrets;
  private final Clock clock;
  private final dev.warden.core.crypto.@Nullable Fingerprinter fingerprinter;
  private final UpstreamTokenCache<Key> cache = new UpstreamTokenCache<>();

  /** What became of a token reported leaked, at this node and at the upstream. */
  public enum Revocation {
    /**
     * the upstream's RFC 7009 endpoint accepted the revocation: the token no longer works anywhere
     */
    REVOKED,
    /**
     * forgotten here, but the resource names no {@code spec.oauth.revocationUrl}: it works at the
     * upstream until it expires
     */
    NO_ENDPOINT,
    /** the upstream refused or could not be reached: it may still work there until it expires */
    FAILED,
    /** this node no longer holds the token, so it cannot be revoked at the upstream */
    NOT_HELD
  }

  /** One resource's outcome for a leaked token. */
  public record Compromise(String resource, Revocation revocation, String message) {}

  /**
   * What one cached token is for: the resource, its client as configured, and the scopes asked for.
   */
  private record Key(String resource, OAuthClient client, List<String> scopes) {}

  /**
   * @param secrets opens a target secret by name (the client secret or PEM private key)
   * @param clock for the cache and the client assertions
   */
  public UpstreamTokenProvider(
      UpstreamTokenClient client, Function<String, Optional<Secret>> secrets, Clock clock) {
    this(client, secrets, clock, null);
  }

  /**
   * @param fingerprinter the installation's fingerprints, to find a token reported leaked; null:
   *     none is found
   */
  public UpstreamTokenProvider(
      UpstreamTokenClient client,
      Function<String, Optional<Secret>> secrets,
      Clock clock,
      dev.warden.core.crypto.@Nullable Fingerprinter fingerprinter) {
    this.client = client;
    this.secrets = secrets;
    this.clock = clock;
    this.fingerprinter = fingerprinter;
  }

  /**
   * A token Warden handed out was reported leaked ({@code warden scan --report}): it is forgotten
   * at once, so no grant and no MCP gateway call gets it again (the next one asks the upstream for
   * a new token), and revoked at the upstream's RFC 7009 endpoint when the resource names one.
   * Tokens are held per node: another node that holds the same token keeps it until it would have
   * refetched (at most half its life), unless the upstream revocation made it worthless.
   *
   * @param fingerprint the leaked token's HMAC fingerprint (the lease's)
   * @param resource the resource of the leaked lease, for the outcome when this node holds nothing
   */
  public List<Compromise> compromised(String fingerprint, String resource) {
    if (fingerprinter == null) {
      return List.of(
          new Compromise(
              resource, Revocation.NOT_HELD, "this node cannot match tokens to fingerprints"));
    }
    var forgotten = cache.evict(t -> fingerprinter.fingerprint(t.token()).equals(fingerprint));
    if (forgotten.isEmpty()) {
      return List.of(
          new Compromise(
              resource,
              Revocation.NOT_HELD,
              "this node no longer holds the token, so it"
                  + " cannot be revoked at the upstream; it stays valid there until it expires"));
    }
    List<Compromise> out = new ArrayList<>();
    java.util.Set<String> done = new java.util.HashSet<>();
    for (var e : forgotten) {
      Key k = e.getKey();
      if (!done.add(k.resource() + "\u0000" + k.client().revocationUrl())) {
        continue; // one token, one revocation per endpoint
      }
      out.add(revoke(k, e.getValue()));
    }
    return List.copyOf(out);
  }

  private Compromise revoke(Key k, UpstreamTokenCache.Cached t) {
    OAuthClient c = k.client();
    if (c.revocationUrl() == null) {
      return new Compromise(
          k.resource(),
          Revocation.NO_ENDPOINT,
          "forgotten; resource '"
              + k.resource()
              + "' names no spec.oauth.revocationUrl, so the token stays valid at the upstream until "
              + t.expiresAt());
    }
    Optional<Secret> secret = secrets.apply(c.secret());
    if (secret.isEmpty()) {
      return new Compromise(
          k.resource(),
          Revocation.FAILED,
          "Warden holds no client secret for resource '"
              + k.resource()
              + "' to authenticate the revocation");
    }
    UpstreamTokenClient.Response res;
    try {
      res =
          client.post(ClientAuthentication.revocation(c, t.token(), secret.get(), clock.instant()));
    } catch (TargetException | ValidationException e) {
      return new Compromise(
          k.resource(),
          Revocation.FAILED,
          "the revocation endpoint of resource '"
              + k.resource()
              + "' cannot be reached or used ("
              + e.getMessage()
              + "); the token may work there until "
              + t.expiresAt());
    }
    // RFC 7009 section 2.2: 200 whether or not the token was still valid
    if (res.status() == 200) {
      return new Compromise(
          k.resource(),
          Revocation.REVOKED,
          "revoked at " + URI.create(c.revocationUrl()).getHost());
    }
    return new Compromise(
        k.resource(),
        Revocation.FAILED,
        "the revocation endpoint of resource '"
            + k.resource()
            + "' answered HTTP "
            + res.status()
            + "; the token may work there until "
            + t.expiresAt());
  }

  @Override
  public CredentialKind kind() {
    return CredentialKind.UPSTREAM_TOKEN;
  }

  /**
   * @throws DeniedException when the resource has no {@code spec.oauth}, the policy grants a scope
   *     its client may not ask for, or the token would outlive the policy's {@code maxTtl} or the
   *     workload
   * @throws TargetException when the upstream did not issue a token (unreachable, refused, or an
   *     answer that is not a bearer token); its message names the resource and says what to do
   */
  @Override
  public IssuedCredential issue(Issuance in) {
    Resource r = in.resource();
    OAuthClient c = r.oauth();
    if (c == null) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          "resource '" + r.name() + "' has no spec.oauth, so Warden holds no OAuth client for it");
    }
    List<String> scopes = scopes(r, c, in.decision().scopes(), in.decision().policy());
    UpstreamTokenCache.Outcome o =
        cache.get(new Key(r.name(), c, scopes), in.now(), () -> fetch(r, c, scopes));
    UpstreamTokenCache.Cached t = o.token();
    Duration maxTtl = in.decision().maxTtl();
    if (t.lifetime().compareTo(maxTtl) > 0) {
      throw new DeniedException(
          Reason.TTL_EXCEEDS_POLICY,
          "the upstream of resource '"
              + r.name()
              + "' issues tokens living "
              + Durations.format(t.lifetime())
              + ", longer than policy '"
              + in.decision().policy()
              + "' allows (maxTtl "
              + Durations.format(maxTtl)
              + "); Warden cannot shorten"
              + " a token it did not mint: raise the policy's maxTtl or shorten the token lifetime at the upstream");
    }
    // the lifetime as the upstream stated it, not as measured here, so the answer does not depend
    // on timing
    Instant workloadEnds = in.workload().expiresAt();
    if (workloadEnds != null && t.expiresAt().isAfter(workloadEnds)) {
      throw new DeniedException(
          Reason.TTL_EXCEEDS_POLICY,
          "workload "
              + in.workload().name()
              + " expires at "
              + workloadEnds
              + ", before the upstream token of resource '"
              + r.name()
              + "' would ("
              + t.expiresAt()
              + "); its owner must renew it");
    }
    Instant iat = Instant.ofEpochSecond(in.now().getEpochSecond());
    Instant exp = Instant.ofEpochSecond(t.expiresAt().getEpochSecond());
    Map<String, String> details = new LinkedHashMap<>();
    details.put("cache", o.source().wire());
    String scope = t.scope() != null ? t.scope() : String.join(" ", scopes);
    if (!scope.isEmpty()) {
      details.put("scope", scope);
    }
    if (t.assumed()) {
      details.put("expiresInAssumed", "true");
    }
    return new IssuedCredential(
        CredentialKind.UPSTREAM_TOKEN,
        t.token(),
        UUID.randomUUID().toString(),
        iat,
        exp.isBefore(iat) ? iat : exp,
        details);
  }

  /**
   * The cached (or freshly obtained) token of an {@code oauth-client} resource's client with the
   * scopes it is configured for: what the MCP gateway adds to the requests it forwards. The agent
   * never receives it, so no lease and no policy {@code maxTtl} apply; the gateway's own decision
   * and audit event cover each use.
   *
   * @throws DeniedException when the resource has no {@code spec.oauth}
   * @throws TargetException when the upstream did not issue a token
   */
  public Secret token(Resource r) {
    OAuthClient c = r.oauth();
    if (c == null) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          "resource '" + r.name() + "' has no spec.oauth, so Warden holds no OAuth client for it");
    }
    List<String> scopes = c.scopes();
    return cache
        .get(new Key(r.name(), c, scopes), clock.instant(), () -> fetch(r, c, scopes))
        .token()
        .token();
  }

  /**
   * Checks an {@code oauth-client} resource before it is stored: its target secret must be stored,
   * and a private key must be able to sign the client's assertions.
   *
   * @throws ValidationException saying how to store the secret; nothing is written
   */
  public void verify(Resource r) {
    OAuthClient c = r.oauth();
    if (c == null) {
      return;
    }
    Secret s =
        secrets
            .apply(c.secret())
            .orElseThrow(
                () ->
                    new ValidationException(
                        c.secretField(),
                        "resource '"
                            + r.name()
                            + "': no target secret named '"
                            + c.secret()
                            + "' is stored; store the "
                            + (c.authMethod() == OAuthClient.AuthMethod.PRIVATE_KEY_JWT
                                ? "PEM private key"
                                : "client secret")
                            + " first with 'warden target-secret set "
                            + c.secret()
                            + "'"));
    checkSecret(r, s);
  }

  /**
   * Checks a value about to be stored as the target secret {@code r} uses: a private key must be
   * able to sign its client's assertions. Cached tokens stay valid (the upstream's tokens do not
   * end when the client secret changes); the next fetch uses the new secret.
   *
   * @throws ValidationException saying what is wrong, never quoting the value
   */
  public static void checkSecret(Resource r, Secret value) {
    OAuthClient c = r.oauth();
    if (c != null && c.authMethod() == OAuthClient.AuthMethod.PRIVATE_KEY_JWT) {
      try {
        ClientAuthentication.checkKey(c, value);
      } catch (ValidationException e) {
        // a ValidationException always has its "field: problem" message
        String m = Objects.requireNonNullElse(e.getMessage(), "");
        throw new ValidationException(
            e.field(),
            "resource '"
                + r.name()
                + "': "
                + (m.startsWith(e.field() + ": ") ? m.substring(e.field().length() + 2) : m));
      }
    }
  }

  private UpstreamTokenCache.Cached fetch(Resource r, OAuthClient c, List<String> scopes) {
    Secret secret =
        secrets
            .apply(c.secret())
            .orElseThrow(
                () ->
                    new TargetException(
                        "Warden holds no client"
                            + " secret for resource '"
                            + r.name()
                            + "' (the target secret named in "
                            + c.secretField()
                            + " is not stored); an operator must store it",
                        false,
                        null));
    Instant start = clock.instant();
    UpstreamTokenClient.Request req;
    try {
      req = ClientAuthentication.request(c, scopes, secret, start);
    } catch (ValidationException e) {
      throw new TargetException(
          "Warden cannot sign a client assertion for resource '"
              + r.name()
              + "' with the stored private key; an operator must store a usable one",
          false,
          null);
    }
    UpstreamTokenClient.Response res;
    try {
      res = client.post(req);
    } catch (TargetException e) {
      throw new TargetException(
          "the upstream OAuth server of resource '"
              + r.name()
              + "' cannot be reached ("
              + e.getMessage()
              + "); retry later",
          false,
          e);
    }
    UpstreamTokenResponse.Token t;
    try {
      t = UpstreamTokenResponse.parse(res);
    } catch (UpstreamTokenResponse.Invalid e) {
      throw new TargetException(refused(r, c, e), false, null);
    }
    Duration life = t.expiresIn() != null ? t.expiresIn() : c.defaultExpiresIn();
    // counted from the request's start: the token was issued no earlier, so it lives at least this
    // long
    return new UpstreamTokenCache.Cached(
        t.accessToken(), start, start.plus(life), t.scope(), t.expiresIn() == null);
  }

  private static String refused(Resource r, OAuthClient c, UpstreamTokenResponse.Invalid e) {
    String who = "the upstream OAuth server of resource '" + r.name() + "'";
    if ("invalid_client".equals(e.error()) || e.status() == 401) {
      return who
          + " refused Warden's client credentials ("
          + (e.error() == null ? "HTTP " + e.status() : e.error())
          + "); an operator must check spec.oauth.clientId and the target secret named in "
          + c.secretField()
          + "; retrying will not help until then";
    }
    if (e.error() != null) {
      return who
          + " refused the token request ("
          + e.error()
          + ", HTTP "
          + e.status()
          + "); an operator must check"
          + " the resource's spec.oauth (scopes, audience, the client's grants at the upstream)";
    }
    if (e.status() != 200) {
      return who + " answered HTTP " + e.status() + " without a token; retry later";
    }
    return who + " answered without a usable token: " + e.getMessage();
  }

  /**
   * The scopes to ask for: the client's {@code spec.oauth.scopes}, narrowed to the policy's when it
   * lists any (each of which the client must be allowed to ask for).
   */
  private static List<String> scopes(
      Resource r, OAuthClient c, List<String> granted, String policy) {
    if (granted.isEmpty()) {
      return List.copyOf(new TreeSet<>(c.scopes()));
    }
    List<String> out = new ArrayList<>();
    for (String s : new TreeSet<>(granted)) {
      if (!c.scopes().contains(s)) {
        throw new DeniedException(
            Reason.INVALID_SCOPE,
            "policy '"
                + policy
                + "' grants scope '"
                + s
                + "', which spec.oauth.scopes of resource '"
                + r.name()
                + "' does not list");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }
}
