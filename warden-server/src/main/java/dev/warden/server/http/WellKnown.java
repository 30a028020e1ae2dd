package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.token.KeyManager;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Discovery (RFC 8414 and OpenID Connect Discovery 1.0) and the JWK set. Relying parties need
 * nothing else to validate Warden's tokens.
 *
 * <p>Both documents say only what is true. Unless user sign-in is configured ({@code
 * login.provider}, the authorization code flow of MCP clients) Warden has no authorization
 * endpoint, so {@code authorization_endpoint} and {@code response_types_supported} are left out:
 * RFC 8414 section 2 makes the first optional without such grants, any response type would
 * advertise a flow that does not exist (the old {@code ["token"]} was the implicit grant), and both
 * specifications forbid empty arrays (RFC 8414 section 3.2, OIDC Discovery section 4.2; see RFC
 * 8414 erratum 7793). Clients authenticate with a platform-issued JWT, not one signed with a key
 * they registered, so the method is not {@code private_key_jwt} but the RFC 7523 assertion type
 * itself, an absolute URI as RFC 7591 section 2 allows for unregistered methods. docs/api.md lists
 * every member and why.
 */
public final class WellKnown {
  public static final String JWKS_PATH = "/oauth2/jwks";
  public static final String TOKEN_PATH = "/oauth2/token";
  public static final String INTROSPECT_PATH = "/oauth2/introspect";
  public static final String AUTHORIZE_PATH = "/oauth2/authorize";

  /**
   * RFC 7523 section 2.2: the JWT bearer client assertion, here issued by the workload's platform.
   */
  static final String JWT_BEARER_ASSERTION = TokenEndpoint.JWT_BEARER;

  private final KeyManager keys;
  private final @Nullable KeyManager federationKeys;
  private final byte[] oauthMetadata;
  private final byte[] openidConfiguration;

  public WellKnown(String issuer, String signingAlg, KeyManager keys) {
    this(issuer, signingAlg, keys, false);
  }

  /**
   * @param mtls the listener accepts client certificates (RFC 8705 metadata is advertised)
   */
  public WellKnown(String issuer, String signingAlg, KeyManager keys, boolean mtls) {
    this(issuer, signingAlg, keys, mtls, null, null);
  }

  /**
   * With federation on, the JWK set also publishes the federation keys, and the OpenID document
   * adds what the clouds read: {@code response_types_supported: ["id_token"]} (REQUIRED by OpenID
   * Connect Discovery section 3, which GCP names as the format it parses, and what Kubernetes and
   * SPIRE's OIDC discovery provider serve for the same purpose: relying parties receive signed
   * identity JWTs, never through an authorization endpoint) and the federation algorithm among the
   * signing algorithms. RFC 8414 metadata stays as it was: no OAuth client uses these flows.
   *
   * @param federationKeys the federation keys, or null when federation is off
   * @param federationAlg their algorithm; ignored when {@code federationKeys} is null
   */
  public WellKnown(
      String issuer,
      String signingAlg,
      KeyManager keys,
      boolean mtls,
      @Nullable KeyManager federationKeys,
      @Nullable String federationAlg) {
    this(issuer, signingAlg, keys, mtls, federationKeys, federationAlg, false);
  }

  /**
   * With the authorization endpoint on ({@code login.provider} set: MCP clients acting for a user,
   * docs/agents.md), both documents add it with what the MCP authorization specification reads:
   * {@code response_types_supported: ["code"]}, the {@code authorization_code} grant, PKCE with
   * {@code S256} only, RFC 9207 {@code iss} in authorization responses and Client ID Metadata
   * Documents. Without it none of these is advertised, since none would work.
   *
   * @param authorizationCode the authorization endpoint is served
   */
  public WellKnown(
      String issuer,
      String signingAlg,
      KeyManager keys,
      boolean mtls,
      @Nullable KeyManager federationKeys,
      @Nullable String federationAlg,
      boolean authorizationCode) {
    this.keys = keys;
    this.federationKeys = federationKeys;
    ObjectNode m = HttpJson.object();
    m.put("issuer", issuer);
    if (authorizationCode) {
      m.put("authorization_endpoint", issuer + AUTHORIZE_PATH);
    }
    m.put("token_endpoint", issuer + TOKEN_PATH);
    m.put("jwks_uri", issuer + JWKS_PATH);
    ArrayNode grants = m.putArray("grant_types_supported");
    grants.add("client_credentials");
    grants.add("urn:ietf:params:oauth:grant-type:token-exchange");
    if (authorizationCode) {
      grants.add("authorization_code");
      m.putArray("response_types_supported").add("code");
      m.putArray("response_modes_supported").add("query");
      m.putArray("code_challenge_methods_supported").add("S256");
      m.put("authorization_response_iss_parameter_supported", true);
      m.put("client_id_metadata_document_supported", true);
    }
    // the platform token as client_assertion (client credentials); none: token exchange needs no
    // client authentication, the subject_token is the evidence, and the authorization code grant's
    // clients are public clients bound by PKCE; tls_client_auth: an X.509-SVID
    ArrayNode authMethods =
        m.putArray("token_endpoint_auth_methods_supported").add(JWT_BEARER_ASSERTION).add("none");
    if (mtls) {
      authMethods.add("tls_client_auth");
    }
    ArrayNode assertionAlgs = m.putArray("token_endpoint_auth_signing_alg_values_supported");
    new TreeSet<>(TrustProviderSpec.ALLOWED_ALGORITHMS).forEach(assertionAlgs::add);
    m.put("introspection_endpoint", issuer + INTROSPECT_PATH);
    // an access token type from the IANA registry (RFC 8414 section 2, RFC 6750)
    m.putArray("introspection_endpoint_auth_methods_supported").add("Bearer");
    if (mtls) {
      m.put("tls_client_certificate_bound_access_tokens", true);
    }
    m.putArray("access_token_signing_alg_values_supported").add(signingAlg);
    // RFC 9449 section 5.1: the token endpoint binds a token to the key of a DPoP proof
    ArrayNode dpopAlgs = m.putArray("dpop_signing_alg_values_supported");
    dev.warden.core.dpop.DpopVerifier.ALGORITHMS.forEach(dpopAlgs::add);
    this.oauthMetadata = HttpJson.bytes(m);
    // OpenID Connect Discovery requires these two; relying parties that verify Warden's JWTs
    // through this document read the signing algorithm here
    if (federationKeys != null) {
      ArrayNode types =
          m.has("response_types_supported")
              ? (ArrayNode) m.get("response_types_supported")
              : m.putArray("response_types_supported");
      types.add("id_token");
      // claims the federation tokens carry, for relying parties that map them (GCP attribute
      // mapping)
      m.putArray("claims_supported")
          .add("iss")
          .add("sub")
          .add("aud")
          .add("exp")
          .add("iat")
          .add("nbf")
          .add("jti");
    }
    m.putArray("subject_types_supported").add("public");
    ArrayNode algs = m.putArray("id_token_signing_alg_values_supported").add(signingAlg);
    if (federationKeys != null && federationAlg != null && !federationAlg.equals(signingAlg)) {
      algs.add(federationAlg);
    }
    this.openidConfiguration = HttpJson.bytes(m);
  }

  /** {@code /.well-known/oauth-authorization-server} (RFC 8414). */
  public void oauthMetadata(ServerRequest req, ServerResponse res) {
    send(res, oauthMetadata);
  }

  /** {@code /.well-known/openid-configuration} (OpenID Connect Discovery 1.0). */
  public void openidConfiguration(ServerRequest req, ServerResponse res) {
    send(res, openidConfiguration);
  }

  private static void send(ServerResponse res, byte[] document) {
    res.header("Content-Type", "application/json");
    res.header("Cache-Control", "public, max-age=300");
    res.send(document);
  }

  public void jwks(ServerRequest req, ServerResponse res) {
    res.header("Content-Type", "application/json");
    // shorter than the key publish lead, so caches learn a prepared key before it signs
    res.header("Cache-Control", "public, max-age=60");
    res.send(jwksJson().getBytes(StandardCharsets.UTF_8));
  }

  /** The access-token keys, and the federation keys after them when federation is on. */
  String jwksJson() {
    String access = keys.keyset().jwksJson();
    if (federationKeys == null) {
      return access;
    }
    String fed = federationKeys.keyset().jwksJson();
    // both are {"keys":[...]} as SigningKeyset writes them; join the two arrays
    String a = access.substring("{\"keys\":[".length(), access.length() - 2);
    String f = fed.substring("{\"keys\":[".length(), fed.length() - 2);
    return "{\"keys\":[" + a + (a.isEmpty() || f.isEmpty() ? "" : ",") + f + "]}";
  }
}
