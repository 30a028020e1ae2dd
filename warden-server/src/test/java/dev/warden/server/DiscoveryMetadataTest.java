package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shape of the discovery documents (RFC 8414, OpenID Connect Discovery 1.0). Regression: they
 * advertised {@code response_types_supported: ["token"]} (an implicit grant that does not exist),
 * {@code introspection_endpoint_auth_methods_supported: ["bearer"]} (not a registered value) and
 * {@code private_key_jwt} (the client assertion is a platform token, not signed with a key the
 * client registered), and an empty {@code scopes_supported}, which both specifications forbid.
 */
class DiscoveryMetadataTest {
  static final String OIDC = "/.well-known/openid-configuration";
  static final String RFC8414 = "/.well-known/oauth-authorization-server";

  /** The IANA "OAuth Token Endpoint Authentication Methods" registry. */
  static final Set<String> REGISTERED_AUTH_METHODS =
      Set.of(
          "none",
          "client_secret_post",
          "client_secret_basic",
          "client_secret_jwt",
          "private_key_jwt",
          "tls_client_auth",
          "self_signed_tls_client_auth");

  @TempDir static Path dir;

  static ServerFixture warden;

  @BeforeAll
  static void start() {
    warden = ServerFixture.start(dir);
  }

  @AfterAll
  static void stop() {
    warden.close();
  }

  static JsonNode doc(String path) {
    ServerFixture.Response r = warden.get(path);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("content-type")).startsWith("application/json");
    return r.json();
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {OIDC, RFC8414})
  void bothDocumentsNameTheEndpointsAndTheIssuer(String path) {
    JsonNode d = doc(path);
    assertThat(d.path("issuer").asText()).isEqualTo(warden.base);
    assertThat(d.path("token_endpoint").asText()).isEqualTo(warden.base + "/oauth2/token");
    assertThat(d.path("jwks_uri").asText()).isEqualTo(warden.base + "/oauth2/jwks");
    assertThat(d.path("introspection_endpoint").asText())
        .isEqualTo(warden.base + "/oauth2/introspect");
    assertThat(strings(d.path("grant_types_supported")))
        .containsExactly("client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {OIDC, RFC8414})
  void noAuthorizationEndpointSoNoResponseTypes(String path) {
    JsonNode d = doc(path);
    assertThat(d.has("authorization_endpoint")).isFalse();
    assertThat(d.has("response_types_supported"))
        .as("no response type exists without an authorization endpoint")
        .isFalse();
    assertThat(d.has("response_modes_supported")).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {OIDC, RFC8414})
  void arraysWithZeroElementsAreOmitted(String path) {
    // RFC 8414 section 3.2, OpenID Connect Discovery section 4.2
    doc(path)
        .properties()
        .forEach(
            e -> {
              if (e.getValue().isArray()) {
                assertThat(e.getValue().size()).as(e.getKey()).isPositive();
              }
            });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {OIDC, RFC8414})
  void clientAuthenticationIsThePlatformAssertionNotPrivateKeyJwt(String path) {
    JsonNode d = doc(path);
    List<String> methods = strings(d.path("token_endpoint_auth_methods_supported"));
    assertThat(methods)
        .containsExactly("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "none")
        .doesNotContain(
            "private_key_jwt", "client_secret_basic", "client_secret_post", "client_secret_jwt");
    for (String m : methods) {
      // RFC 7591 section 2: a registered value, or an absolute URI
      assertThat(REGISTERED_AUTH_METHODS.contains(m) || URI.create(m).isAbsolute()).as(m).isTrue();
    }
    List<String> algs = strings(d.path("token_endpoint_auth_signing_alg_values_supported"));
    assertThat(algs).isNotEmpty().doesNotContain("none").noneMatch(a -> a.startsWith("HS"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {OIDC, RFC8414})
  void introspectionTakesABearerTokenNamedAsRegistered(String path) {
    // RFC 8414 section 2: a value of the IANA OAuth Access Token Types registry, which spells it
    // "Bearer"
    assertThat(strings(doc(path).path("introspection_endpoint_auth_methods_supported")))
        .containsExactly("Bearer");
  }

  @Test
  void openidConfigurationHasTheMembersOidcDiscoveryRequiresThatAreTrue() {
    JsonNode d = doc(OIDC);
    assertThat(strings(d.path("subject_types_supported"))).containsExactly("public");
    assertThat(strings(d.path("id_token_signing_alg_values_supported"))).containsExactly("ES256");
    assertThat(d.has("scopes_supported"))
        .as("scopes are defined per policy; an empty list is forbidden")
        .isFalse();
  }

  @Test
  void oauthMetadataLeavesOutOpenIdConnectOnlyMembers() {
    JsonNode d = doc(RFC8414);
    assertThat(d.has("subject_types_supported")).isFalse();
    assertThat(d.has("id_token_signing_alg_values_supported")).isFalse();
    assertThat(d.has("tls_client_certificate_bound_access_tokens"))
        .as("plain HTTP listener")
        .isFalse();
  }
}
