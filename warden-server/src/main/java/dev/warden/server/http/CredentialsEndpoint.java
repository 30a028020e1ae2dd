package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.grant.Evidence;
import dev.warden.core.grant.GrantRequest;
import dev.warden.core.grant.GrantType;
import dev.warden.core.grant.Granted;
import dev.warden.core.grant.TokenService;
import dev.warden.core.model.CredentialKind;
import dev.warden.server.ServerMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.security.cert.X509Certificate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /v1/credentials}: a credential the resource itself understands — today a dynamic
 * PostgreSQL user — under the same attest, policy and audit flow as the token endpoint, and
 * authenticated the same way: the workload's platform token as an RFC 7523 client assertion, or its
 * X.509-SVID over mTLS. Form parameters: {@code client_assertion_type}, {@code client_assertion}
 * (or none with mTLS), {@code resource} (name or audience), {@code client_id} (optional). The
 * answer carries the user name, its password (the secret), the lease id and the expiry, with {@code
 * Cache-Control: no-store}. See docs/credentials.md.
 */
public final class CredentialsEndpoint {
  public static final String PATH = "/v1/credentials";

  static final String LEASES = PATH + "/leases/";
  private final TokenService tokens;
  private final dev.warden.core.grant.OwnLeases ownLeases;
  private final ServerMetrics metrics;
  private final int maxBodyBytes;
  private final int maxAssertionBytes;

  public CredentialsEndpoint(
      TokenService tokens,
      dev.warden.core.grant.OwnLeases ownLeases,
      ServerMetrics metrics,
      int maxBodyBytes,
      int maxAssertionBytes) {
    this.tokens = tokens;
    this.ownLeases = ownLeases;
    this.metrics = metrics;
    this.maxBodyBytes = maxBodyBytes;
    this.maxAssertionBytes = maxAssertionBytes;
  }

  /** The {@code credential_type} a caller may name: a kind served here, by its wire name. */
  private static @Nullable CredentialKind requestedKind(@Nullable String wire) {
    if (wire == null) {
      return null;
    }
    for (CredentialKind k : CredentialKind.values()) {
      if (k.endpoint() == CredentialKind.Endpoint.CREDENTIALS && k.wire().equals(wire)) {
        return k;
      }
    }
    throw new DeniedException(
        Reason.INVALID_REQUEST,
        "credential_type '"
            + wire
            + "' is not served here; one of "
            + java.util.Arrays.stream(CredentialKind.values())
                .filter(k -> k.endpoint() == CredentialKind.Endpoint.CREDENTIALS)
                .map(CredentialKind::wire)
                .toList()
            + ", or leave it out for what the policy grants");
  }

  public static boolean handles(String rawPath) {
    return rawPath.equals(PATH) || rawPath.startsWith(LEASES);
  }

  public void handle(ServerRequest req, ServerResponse res) {
    String path = req.path().rawPath();
    if (path.startsWith(LEASES)) {
      handleOwnLease(req, res, path.substring(LEASES.length()));
    } else {
      handleIssue(req, res);
    }
  }

  /**
   * {@code POST /v1/credentials/leases/<id>:renew} and {@code :revoke}: the workload acting on its
   * own lease, authenticated as when it got it.
   */
  private void handleOwnLease(ServerRequest req, ServerResponse res, String tail) {
    GrantType grant = GrantType.CLIENT_CREDENTIALS;
    String source = TokenEndpoint.address(req.remotePeer().address());
    boolean audited = false;
    try {
      boolean renew = tail.endsWith(":renew");
      if (!renew && !tail.endsWith(":revoke")) {
        throw new BadRequestException(404, "use POST " + LEASES + "<lease-id>:renew or :revoke");
      }
      String leaseId =
          java.net.URLDecoder.decode(
              tail.substring(0, tail.lastIndexOf(':')), java.nio.charset.StandardCharsets.UTF_8);
      if (req.prologue().method() != io.helidon.http.Method.POST) {
        throw new BadRequestException(405, "use POST with a form body (see docs/credentials.md)");
      }
      FormBody form = form(req);
      Evidence proof = evidence(req, form);
      audited = true;
      dev.warden.core.grant.OwnLeases.Result r =
          renew
              ? ownLeases.renew(proof, form.optional("client_id"), source, leaseId)
              : ownLeases.revoke(proof, form.optional("client_id"), source, leaseId);
      ObjectNode body = HttpJson.object();
      body.put("lease_id", r.leaseId());
      if (renew) {
        body.put("expires_at", r.expiresAt().toString());
        body.put(
            "expires_in", Math.max(0, r.expiresAt().getEpochSecond() - r.at().getEpochSecond()));
        body.put("renewed", r.changed());
      } else {
        body.put("revoked", r.changed());
      }
      res.status(200);
      res.header("Content-Type", "application/json");
      res.header("Cache-Control", "no-store");
      res.send(HttpJson.bytes(body));
    } catch (DeniedException e) {
      if (!audited) {
        tokens.auditRejected(grant, e.reason(), e.getMessage(), source);
      }
      if (e.reason() == Reason.UNKNOWN_LEASE) {
        Errors.oauthBody(res, 404, "invalid_request", e.getMessage());
      } else {
        Errors.oauth(res, e, grant, null);
      }
    } catch (BadRequestException e) {
      tokens.auditRejected(grant, Reason.INVALID_REQUEST, e.getMessage(), source);
      Errors.oauth(res, e, grant, null);
    } catch (RuntimeException e) {
      Errors.oauth(res, e, grant, null);
    }
    metrics.request("credentials", res.status().code());
  }

  private FormBody form(ServerRequest req) {
    String authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
    if (authorization != null) {
      throw new DeniedException(
          Reason.CLIENT_AUTH_UNSUPPORTED,
          "Warden has no client secrets and accepts no"
              + " Authorization header here; authenticate with client_assertion (RFC 7523) or an X.509-SVID over mTLS");
    }
    if (!"application/x-www-form-urlencoded".equals(Bodies.mediaType(req))) {
      throw new BadRequestException("send the request as application/x-www-form-urlencoded");
    }
    return FormBody.parse(Bodies.read(req, maxBodyBytes));
  }

  /**
   * The caller's proof: an X.509-SVID over mTLS, or its platform token as an RFC 7523 client
   * assertion.
   */
  private Evidence evidence(ServerRequest req, FormBody form) {
    List<X509Certificate> clientCerts = TokenEndpoint.clientCertificates(req);
    String assertionType = form.get("client_assertion_type");
    String assertion = form.assertion("client_assertion");
    if (assertionType == null && assertion == null && !clientCerts.isEmpty()) {
      return new Evidence.ClientCertificate(clientCerts);
    }
    if (!TokenEndpoint.JWT_BEARER.equals(assertionType)) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "client_assertion_type must be "
              + TokenEndpoint.JWT_BEARER
              + " with the platform token as client_assertion, or authenticate with an X.509-SVID over mTLS");
    }
    String token = form.requiredAssertion("client_assertion");
    if (token.length() > maxAssertionBytes) {
      throw new DeniedException(
          Reason.TOKEN_TOO_LARGE,
          "the platform token is larger than " + maxAssertionBytes + " bytes");
    }
    return new Evidence.PlatformToken(Secret.of(token));
  }

  private void handleIssue(ServerRequest req, ServerResponse res) {
    long start = System.nanoTime();
    boolean audited = false;
    String source = TokenEndpoint.address(req.remotePeer().address());
    GrantType grant = GrantType.CLIENT_CREDENTIALS;
    String httpAuthScheme = null;
    try {
      if (req.prologue().method() != io.helidon.http.Method.POST) {
        throw new BadRequestException(
            405, "use POST " + PATH + " with a form body (see docs/credentials.md)");
      }
      String authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
      if (authorization != null) {
        httpAuthScheme = TokenEndpoint.authScheme(authorization);
        throw new DeniedException(
            Reason.CLIENT_AUTH_UNSUPPORTED,
            "Warden has no client secrets and accepts no"
                + " Authorization header here; authenticate with client_assertion (RFC 7523) or an X.509-SVID over mTLS");
      }
      if (!"application/x-www-form-urlencoded".equals(Bodies.mediaType(req))) {
        throw new BadRequestException("send the request as application/x-www-form-urlencoded");
      }
      FormBody form = FormBody.parse(Bodies.read(req, maxBodyBytes));
      String grantType = form.optional("grant_type");
      if (grantType != null && !grantType.equals(GrantType.CLIENT_CREDENTIALS.wire())) {
        throw new DeniedException(
            Reason.UNSUPPORTED_GRANT_TYPE, "grant_type, if sent, must be client_credentials");
      }
      Evidence proof = evidence(req, form);
      String resource = form.optional("resource");
      if (resource == null) {
        throw new DeniedException(
            Reason.INVALID_REQUEST,
            "name the target with the 'resource' parameter (its" + " name or audience)");
      }
      if (form.get("scope") != null) {
        throw new DeniedException(
            Reason.INVALID_REQUEST,
            "scope does not apply here; the resource's spec decides"
                + " what its credentials may do");
      }
      CredentialKind requested = requestedKind(form.optional("credential_type"));
      audited = true;
      Granted g =
          tokens.grant(
              new GrantRequest(
                  grant,
                  proof,
                  resource,
                  null,
                  form.optional("client_id"),
                  source,
                  CredentialKind.Endpoint.CREDENTIALS,
                  requested,
                  null,
                  TokenEndpoint.hop(req),
                  null));
      ObjectNode body = CredentialResponses.body(g);
      TokenEndpoint.sendCredential(res, body);
      metrics.grant("allow", "allowed", System.nanoTime() - start);
    } catch (DeniedException e) {
      if (!audited) {
        tokens.auditRejected(grant, e.reason(), e.getMessage(), source);
      }
      metrics.grant("deny", e.reason().code(), System.nanoTime() - start);
      if (e.reason() == Reason.QUOTA_EXCEEDED) {
        // not a policy refusal: the same request succeeds once a live credential ends
        Errors.oauthBody(res, 429, "quota_exceeded", e.getMessage());
      } else {
        Errors.oauth(res, e, grant, httpAuthScheme);
      }
    } catch (BadRequestException e) {
      Reason r = e.status() == 413 ? Reason.REQUEST_TOO_LARGE : Reason.INVALID_REQUEST;
      tokens.auditRejected(grant, r, e.getMessage(), source);
      metrics.grant("deny", r.code(), System.nanoTime() - start);
      Errors.oauth(res, e, grant, httpAuthScheme);
    } catch (RuntimeException e) {
      metrics.grant(
          e instanceof dev.warden.core.error.UnavailableException ? "unavailable" : "error",
          "error",
          System.nanoTime() - start);
      Errors.oauth(res, e, grant, httpAuthScheme);
    }
    metrics.request("credentials", res.status().code());
  }
}
