package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.crypto.Secret;
import dev.warden.core.dpop.DpopProof;
import dev.warden.core.dpop.DpopVerifier;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.grant.Evidence;
import dev.warden.core.grant.GrantRequest;
import dev.warden.core.grant.GrantType;
import dev.warden.core.grant.Granted;
import dev.warden.core.grant.TokenService;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.token.KeyBinding;
import dev.warden.server.ServerMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /oauth2/token}: parse the form into a {@link GrantRequest}, call the token service,
 * write the RFC 6749 response. Nothing else happens here.
 */
public final class TokenEndpoint {
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  static final String TOKEN_TYPE_JWT = "urn:ietf:params:oauth:token-type:jwt";
  static final String TOKEN_TYPE_ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
  static final String TOKEN_TYPE_ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
  static final String TOKEN_TYPE_TXN = "urn:ietf:params:oauth:token-type:txn_token";
  static final String TOKEN_TYPE_UNSIGNED_JSON = "urn:ietf:params:oauth:token-type:unsigned_json";

  private final TokenService tokens;
  private final ServerMetrics metrics;
  private final int maxBodyBytes;
  private final int maxAssertionBytes;
  private final @Nullable AuthorizationCodeGrant codes;
  private final DpopVerifier dpop;
  private final String uri;

  /**
   * @param codes the authorization code grant, or null when the authorization endpoint is off
   * @param dpop verifies the DPoP proof of a request that asks for a DPoP-bound token
   * @param uri this endpoint's URI as clients address it ({@code <issuer>/oauth2/token}): a DPoP
   *     proof's {@code htu}
   */
  public TokenEndpoint(
      TokenService tokens,
      ServerMetrics metrics,
      int maxBodyBytes,
      int maxAssertionBytes,
      @Nullable AuthorizationCodeGrant codes,
      DpopVerifier dpop,
      String uri) {
    this.codes = codes;
    this.dpop = dpop;
    this.uri = uri;
    this.tokens = tokens;
    this.metrics = metrics;
    this.maxBodyBytes = maxBodyBytes;
    this.maxAssertionBytes = maxAssertionBytes;
  }

  public void handle(ServerRequest req, ServerResponse res) {
    long start = System.nanoTime();
    GrantType grant = null;
    boolean audited = false;
    String source = address(req.remotePeer().address());
    String httpAuthScheme = null;
    try {
      String authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
      if (authorization != null) {
        httpAuthScheme = authScheme(authorization);
      }
      if (!"application/x-www-form-urlencoded".equals(Bodies.mediaType(req))) {
        throw new BadRequestException(
            "send the request as application/x-www-form-urlencoded (RFC 6749 section 4.4.2)");
      }
      FormBody form = FormBody.parse(Bodies.read(req, maxBodyBytes));
      String grantType = form.required("grant_type");
      List<String> proofs = req.headers().all(DPOP, List::of);
      if (codes != null && GrantType.AUTHORIZATION_CODE.wire().equals(grantType)) {
        if (!proofs.isEmpty()) {
          throw new BadRequestException(
              "DPoP is not supported with the authorization code grant yet; send the request"
                  + " without a DPoP header for a Bearer token");
        }
        codes.handle(form, httpAuthScheme, source, res, start);
        return;
      }
      grant =
          GrantType.CLIENT_CREDENTIALS.wire().equals(grantType)
              ? GrantType.CLIENT_CREDENTIALS
              : GrantType.TOKEN_EXCHANGE.wire().equals(grantType) ? GrantType.TOKEN_EXCHANGE : null;
      if (httpAuthScheme != null) {
        throw new DeniedException(
            Reason.CLIENT_AUTH_UNSUPPORTED,
            "Warden has no client secrets and accepts no"
                + " Authorization header here; authenticate with client_assertion (RFC 7523) or an X.509-SVID over mTLS"
                + " (RFC 8705)");
      }
      String evidence;
      GrantRequest.Exchange exchange = null;
      Evidence proof = null;
      List<X509Certificate> clientCerts = clientCertificates(req);
      if (grant == GrantType.CLIENT_CREDENTIALS) {
        String assertionType = form.get("client_assertion_type");
        if (assertionType == null
            && form.assertion("client_assertion") == null
            && !clientCerts.isEmpty()) {
          // RFC 8705 §2.1 tls_client_auth: the certificate authenticates; client_id names the
          // client
          evidence = null;
        } else if (!JWT_BEARER.equals(assertionType)) {
          throw new DeniedException(
              Reason.INVALID_REQUEST,
              "client_assertion_type must be "
                  + JWT_BEARER
                  + " with the platform token as client_assertion, or authenticate with an X.509-SVID over mTLS;"
                  + " Warden has no client secrets");
        } else {
          evidence = form.requiredAssertion("client_assertion");
        }
      } else if (grant == GrantType.TOKEN_EXCHANGE) {
        Exchanged x = exchange(form, clientCerts);
        evidence = x.evidence();
        exchange = x.exchange();
        if (exchange != null && evidence == null) {
          proof = new Evidence.ClientCertificate(clientCerts);
        }
      } else {
        throw new DeniedException(
            Reason.UNSUPPORTED_GRANT_TYPE,
            "grant_type must be client_credentials or " + GrantType.TOKEN_EXCHANGE.wire());
      }
      if (evidence != null && evidence.length() > maxAssertionBytes) {
        throw new DeniedException(
            Reason.TOKEN_TOO_LARGE,
            "the platform token is larger than " + maxAssertionBytes + " bytes");
      }
      if (exchange != null && exchange.subjectToken().reveal().length() > maxAssertionBytes) {
        throw new DeniedException(
            Reason.TOKEN_TOO_LARGE,
            "the subject token is larger than " + maxAssertionBytes + " bytes");
      }
      String resource = form.get("resource");
      String audience = form.get("audience");
      if (resource != null && audience != null && !resource.equals(audience)) {
        throw new DeniedException(
            Reason.INVALID_REQUEST, "send either resource or audience, or the same value in both");
      }
      // RFC 9449 section 5: with a DPoP header, the token is bound to the proof's key
      DpopProof bound = proofs.isEmpty() ? null : dpop.verify(proofs, "POST", uri, null);
      audited = true;
      if (proof == null) {
        proof =
            evidence != null
                ? new Evidence.PlatformToken(Secret.of(evidence))
                : new Evidence.ClientCertificate(clientCerts);
      }
      boolean txn =
          exchange != null && exchange.purpose() == GrantRequest.Purpose.TRANSACTION_TOKEN;
      Granted g =
          tokens.grant(
              new GrantRequest(
                  grant,
                  proof,
                  resource != null ? resource : audience,
                  form.get("scope"),
                  form.optional("client_id"),
                  source,
                  CredentialKind.Endpoint.TOKEN,
                  null,
                  exchange,
                  hop(req),
                  bound));
      ObjectNode body = HttpJson.object();
      body.put("access_token", g.accessToken().reveal());
      if (grant == GrantType.TOKEN_EXCHANGE) {
        body.put("issued_token_type", txn ? TOKEN_TYPE_TXN : TOKEN_TYPE_ACCESS_TOKEN);
      }
      // draft-ietf-oauth-transaction-tokens section 7.3: a Txn-Token is not an access token
      // RFC 9449 section 5: DPoP when the token is bound, Bearer when the kind cannot be (a
      // JWT-SVID, a cloud federation token)
      body.put(
          "token_type", txn ? "N_A" : g.binding() instanceof KeyBinding.Dpop ? "DPoP" : "Bearer");
      body.put("expires_in", g.expiresInSeconds());
      if (g.scope() != null) {
        body.put("scope", g.scope());
      }
      sendCredential(res, body);
      metrics.grant("allow", "allowed", System.nanoTime() - start);
    } catch (DeniedException e) {
      if (!audited) {
        tokens.auditRejected(grant, e.reason(), e.getMessage(), source);
      }
      metrics.grant("deny", e.reason().code(), System.nanoTime() - start);
      Errors.oauth(res, e, grant, httpAuthScheme);
    } catch (BadRequestException e) {
      Reason r = e.status() == 413 ? Reason.REQUEST_TOO_LARGE : Reason.INVALID_REQUEST;
      tokens.auditRejected(grant, r, e.getMessage(), source);
      metrics.grant("deny", r.code(), System.nanoTime() - start);
      Errors.oauth(res, e, grant, httpAuthScheme);
    } catch (RuntimeException e) {
      metrics.grant("error", "error", System.nanoTime() - start);
      Errors.oauth(res, e, grant, httpAuthScheme);
    }
  }

  /**
   * What the form of a token-exchange request says: the requester's evidence and the subject side.
   */
  private record Exchanged(@Nullable String evidence, GrantRequest.@Nullable Exchange exchange) {}

  /**
   * Reads a token exchange (RFC 8693). The requester is the actor ({@code actor_token}, or a {@code
   * client_assertion}, or an X.509-SVID over mTLS when the subject token is Warden's); without one,
   * the subject token is the requester's own platform token, exchanged for itself. A
   * transaction-token request (draft-ietf-oauth-transaction-tokens) always names its requester.
   */
  private Exchanged exchange(FormBody form, List<X509Certificate> clientCerts) {
    String subjectToken = form.requiredAssertion("subject_token");
    String type = form.required("subject_token_type");
    String requested = form.get("requested_token_type");
    boolean txn = TOKEN_TYPE_TXN.equals(requested);
    if (requested != null
        && !txn
        && !requested.equals(TOKEN_TYPE_ACCESS_TOKEN)
        && !requested.equals(TOKEN_TYPE_JWT)) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "requested_token_type must be " + TOKEN_TYPE_ACCESS_TOKEN + " or " + TOKEN_TYPE_TXN);
    }
    GrantRequest.SubjectTokenType subjectType;
    if (TOKEN_TYPE_UNSIGNED_JSON.equals(type) && txn) {
      subjectType = GrantRequest.SubjectTokenType.UNSIGNED_JSON;
    } else if (TOKEN_TYPE_JWT.equals(type)
        || TOKEN_TYPE_ID_TOKEN.equals(type)
        || TOKEN_TYPE_ACCESS_TOKEN.equals(type)) {
      subjectType = GrantRequest.SubjectTokenType.JWT;
    } else {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "subject_token_type must be "
              + TOKEN_TYPE_JWT
              + ", "
              + TOKEN_TYPE_ID_TOKEN
              + " or "
              + TOKEN_TYPE_ACCESS_TOKEN
              + (txn ? " (or " + TOKEN_TYPE_UNSIGNED_JSON + " naming yourself)" : ""));
    }
    String actorToken = form.assertion("actor_token");
    String actorType = form.get("actor_token_type");
    if (actorToken != null
        && !TOKEN_TYPE_JWT.equals(actorType)
        && !TOKEN_TYPE_ID_TOKEN.equals(actorType)
        && !TOKEN_TYPE_ACCESS_TOKEN.equals(actorType)) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "actor_token_type is required with actor_token and must be "
              + TOKEN_TYPE_JWT
              + " (RFC 8693 section 2.1)");
    }
    if (actorToken == null && actorType != null) {
      throw new DeniedException(
          Reason.INVALID_REQUEST, "actor_token_type was sent without actor_token");
    }
    String assertion = form.assertion("client_assertion");
    if (assertion != null && !JWT_BEARER.equals(form.get("client_assertion_type"))) {
      throw new DeniedException(
          Reason.INVALID_REQUEST, "client_assertion_type must be " + JWT_BEARER);
    }
    if (actorToken != null && assertion != null) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "send the actor's token once: as actor_token or as" + " client_assertion, not both");
    }
    if (!txn && (form.get("request_context") != null || form.get("request_details") != null)) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "request_context and request_details belong to"
              + " transaction-token requests (requested_token_type="
              + TOKEN_TYPE_TXN
              + ")");
    }
    String requester = actorToken != null ? actorToken : assertion;
    boolean ours = tokens.issuedHere(subjectToken);
    if (requester == null && (clientCerts.isEmpty() || !(txn || ours))) {
      if (txn) {
        throw new DeniedException(
            Reason.INVALID_REQUEST,
            "a transaction token is issued to an authenticated"
                + " workload: send client_assertion (RFC 7523) or present an X.509-SVID over mTLS");
      }
      if (ours) {
        throw new DeniedException(
            Reason.INVALID_REQUEST,
            "a Warden token is exchanged by the party acting for its"
                + " subject: send actor_token (RFC 8693 section 4.1) or present an X.509-SVID over mTLS");
      }
      return new Exchanged(subjectToken, null);
    }
    GrantRequest.Exchange ex =
        new GrantRequest.Exchange(
            txn ? GrantRequest.Purpose.TRANSACTION_TOKEN : GrantRequest.Purpose.DELEGATION,
            Secret.of(subjectToken),
            subjectType,
            txn ? form.get("request_context") : null,
            txn ? form.get("request_details") : null);
    return new Exchanged(requester, ex);
  }

  /**
   * Sends an issued credential: 200 with a JSON body no cache may keep ({@code Cache-Control:
   * no-store} and {@code Pragma: no-cache}, RFC 6749 section 5.1).
   */
  static void sendCredential(ServerResponse res, ObjectNode body) {
    res.status(200);
    res.header("Content-Type", "application/json");
    res.header("Cache-Control", "no-store");
    res.header("Pragma", "no-cache");
    res.send(HttpJson.bytes(body));
  }

  /** The chain a request belongs to: a {@code Txn-Token} header, a W3C {@code traceparent}. */
  static GrantRequest.Hop hop(ServerRequest req) {
    String txn = req.headers().first(TXN_TOKEN).orElse(null);
    String trace = req.headers().first(TRACEPARENT).orElse(null);
    // W3C Trace Context section 3.2: a traceparent that does not parse is ignored, not refused
    trace = dev.warden.core.audit.Traceparent.validOrNull(trace);
    return txn == null && trace == null
        ? GrantRequest.Hop.NONE
        : new GrantRequest.Hop(txn == null || txn.isEmpty() ? null : Secret.of(txn.trim()), trace);
  }

  private static final io.helidon.http.HeaderName DPOP = HeaderNames.create("DPoP");
  private static final io.helidon.http.HeaderName TXN_TOKEN = HeaderNames.create("Txn-Token");
  private static final io.helidon.http.HeaderName TRACEPARENT = HeaderNames.create("traceparent");

  /**
   * The auth-scheme of an Authorization header (RFC 9110 section 11.6.2: a token, then optionally a
   * space and the credentials), as the client wrote it.
   *
   * @throws BadRequestException when the header does not start with a token
   */
  static String authScheme(String authorization) {
    int end = authorization.indexOf(' ');
    String scheme = end < 0 ? authorization : authorization.substring(0, end);
    if (scheme.isEmpty()
        || scheme.length() > 64
        || !scheme.chars().allMatch(TokenEndpoint::isTchar)) {
      throw new BadRequestException(
          "the Authorization header is malformed; the token endpoint needs none");
    }
    return scheme;
  }

  private static boolean isTchar(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  /** The chain the client presented in the TLS handshake, leaf first; empty over plain HTTP. */
  static List<X509Certificate> clientCertificates(ServerRequest req) {
    if (!req.isSecure()) {
      return List.of();
    }
    java.util.Optional<java.security.cert.Certificate[]> certs = req.remotePeer().tlsCertificates();
    if (certs.isEmpty()) {
      return List.of();
    }
    List<X509Certificate> out = new java.util.ArrayList<>();
    for (java.security.cert.Certificate c : certs.get()) {
      if (c instanceof X509Certificate x) {
        out.add(x);
      }
    }
    return out;
  }

  public static String address(SocketAddress a) {
    if (a instanceof InetSocketAddress i && i.getAddress() != null) {
      return i.getAddress().getHostAddress();
    }
    return a == null ? "" : a.toString();
  }
}
