package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.token.KeyManager;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;

/**
 * Discovery (OpenID Connect Discovery 1.0 and RFC 8414) and the JWK set. Relying parties need
 * nothing else to validate Warden's tokens.
 */
public final class WellKnown {
  public static final String JWKS_PATH = "/oauth2/jwks";
  public static final String TOKEN_PATH = "/oauth2/token";
  public static final String INTROSPECT_PATH = "/oauth2/introspect";

  private final KeyManager keys;
  private final byte[] metadata;

  public WellKnown(String issuer, String signingAlg, KeyManager keys) {
    this(issuer, signingAlg, keys, false);
  }

  /** @param mtls the listener accepts client certificates (RFC 8705 metadata is advertised) */
  public WellKnown(String issuer, String signingAlg, KeyManager keys, boolean mtls) {
    this.keys = keys;
    ObjectNode m = Json.object();
    m.put("issuer", issuer);
    m.put("token_endpoint", issuer + TOKEN_PATH);
    m.put("jwks_uri", issuer + JWKS_PATH);
    m.put("introspection_endpoint", issuer + INTROSPECT_PATH);
    m.putArray("introspection_endpoint_auth_methods_supported").add("bearer");
    ArrayNode grants = m.putArray("grant_types_supported");
    grants.add("client_credentials");
    grants.add("urn:ietf:params:oauth:grant-type:token-exchange");
    ArrayNode authMethods = m.putArray("token_endpoint_auth_methods_supported").add("private_key_jwt");
    if (mtls) {
      authMethods.add("tls_client_auth");
      m.put("tls_client_certificate_bound_access_tokens", true);
    }
    ArrayNode assertionAlgs = m.putArray("token_endpoint_auth_signing_alg_values_supported");
    new TreeSet<>(TrustProviderSpec.ALLOWED_ALGORITHMS).forEach(assertionAlgs::add);
    m.putArray("response_types_supported").add("token");
    m.putArray("subject_types_supported").add("public");
    m.putArray("id_token_signing_alg_values_supported").add(signingAlg);
    m.putArray("access_token_signing_alg_values_supported").add(signingAlg);
    m.putArray("scopes_supported");
    this.metadata = Json.bytes(m);
  }

  public void metadata(ServerRequest req, ServerResponse res) {
    res.header("Content-Type", "application/json");
    res.header("Cache-Control", "public, max-age=300");
    res.send(metadata);
  }

  public void jwks(ServerRequest req, ServerResponse res) {
    res.header("Content-Type", "application/json");
    // shorter than the key publish lead, so caches learn a prepared key before it signs
    res.header("Cache-Control", "public, max-age=60");
    res.send(keys.keyset().jwksJson().getBytes(StandardCharsets.UTF_8));
  }
}
