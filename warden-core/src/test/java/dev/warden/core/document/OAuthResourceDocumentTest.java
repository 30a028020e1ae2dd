package dev.warden.core.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.OAuthClient;
import dev.warden.core.model.Resource;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code spec.oauth} of an oauth-client resource: strict parsing, a round trip, https, and no
 * secret ever.
 */
class OAuthResourceDocumentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode doc() throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
        {"kind": "Resource", "metadata": {"name": "crm"}, "spec": {
          "audience": "https://api.crm.test", "kind": "oauth-client",
          "oauth": {"tokenUrl": "https://login.crm.test/oauth2/token", "clientId": "warden-prod",
            "clientSecretSecret": "crm-client", "scopes": ["contacts.read"]}}}""");
  }

  private static ObjectNode oauth(ObjectNode doc) {
    return (ObjectNode) doc.get("spec").get("oauth");
  }

  @Test
  void parsesWithDefaultsAndRoundTrips() throws Exception {
    Resource r = (Resource) Documents.parse(doc());

    OAuthClient c = r.oauth();
    assertThat(c.authMethod()).isEqualTo(OAuthClient.AuthMethod.CLIENT_SECRET_BASIC);
    assertThat(c.secret()).isEqualTo("crm-client");
    assertThat(c.scopes()).containsExactly("contacts.read");
    assertThat(c.defaultExpiresIn()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.signingAlg()).isNull();
    assertThat(Documents.parse(Documents.toDocument(r))).isEqualTo(r);
  }

  @Test
  void privateKeyJwtDefaultsToRs256AndRoundTrips() throws Exception {
    ObjectNode d = doc();
    oauth(d).remove("clientSecretSecret");
    oauth(d)
        .put("authMethod", "private_key_jwt")
        .put("privateKeySecret", "crm-key")
        .put("keyId", "k1");

    Resource r = (Resource) Documents.parse(d);

    assertThat(r.oauth().signingAlg()).isEqualTo("RS256");
    assertThat(r.oauth().secretField()).isEqualTo("spec.oauth.privateKeySecret");
    assertThat(Documents.parse(Documents.toDocument(r))).isEqualTo(r);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"clientSecret", "client_secret", "privateKey", "password"})
  void aSecretInTheDocumentIsRefusedWithoutQuotingIt(String field) throws Exception {
    ObjectNode d = doc();
    oauth(d).put(field, "hunter2-very-secret");

    assertThatThrownBy(() -> Documents.parse(d))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("spec.oauth." + field)
        .hasMessageContaining("warden target-secret set")
        .hasMessageNotContaining("hunter2");
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      tokenUrl           | http://login.crm.test/token              | must use https
      tokenUrl           | http://10.0.0.1/token                    | must use https
      tokenUrl           | ftp://login.crm.test/token               | must be an https URL
      tokenUrl           | /oauth2/token                            | must be an https URL
      tokenUrl           | https://user:pw@login.crm.test/token     | must not contain a user or password
      tokenUrl           | https://login.crm.test/token#x           | must not contain a fragment
      tokenUrl           | https://login crm/token                  | is not a valid URL
      tokenUrl           | ''                                       | is required
      clientId           | ''                                       | is required
      clientId           | a:b                                      | client_secret_basic cannot carry
      authMethod         | client_secret_jwt                        | is not allowed
      authMethod         | none                                     | is not allowed
      clientSecretSecret | Not_A_Name                               | must use lower-case letters
      signingAlg         | RS256                                    | applies only to authMethod: private_key_jwt
      keyId              | k1                                       | applies only to authMethod: private_key_jwt
      audience           | ''                                       | is required
      resource           | not-absolute                             | must be an absolute URI
      defaultExpiresIn   | 5s                                       | must be between 10s and 24h
      defaultExpiresIn   | 25h                                      | must be between 10s and 24h
      defaultExpiresIn   | soon                                     | is not a duration
      tokenEndpoint      | https://x.test                           | unknown field
      """)
  void badFieldIsRefusedNamingIt(String field, String value, String expected) throws Exception {
    ObjectNode d = doc();
    oauth(d).put(field, value);

    assertThatThrownBy(() -> Documents.parse(d))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("spec.oauth." + field)
        .hasMessageContaining(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "http://127.0.0.1:8080/token",
    "http://localhost/token",
    "http://[::1]:9/token",
    "https://login.crm.test/token"
  })
  void plainHttpOnlyToLoopback(String url) throws Exception {
    ObjectNode d = doc();
    oauth(d).put("tokenUrl", url);

    assertThat(((Resource) Documents.parse(d)).oauth().tokenUrl()).isEqualTo(url);
  }

  @Test
  void aRevocationEndpointRoundTripsAndFollowsTheTokenUrlRules() throws Exception {
    ObjectNode d = doc();
    oauth(d).put("revocationUrl", "https://login.crm.test/oauth2/revoke");
    Resource r = (Resource) Documents.parse(d);
    assertThat(r.oauth().revocationUrl()).isEqualTo("https://login.crm.test/oauth2/revoke");
    assertThat(Documents.parse(Documents.toDocument(r))).isEqualTo(r);

    oauth(d).put("revocationUrl", "http://login.crm.test/oauth2/revoke");
    assertThatThrownBy(() -> Documents.parse(d))
        .hasMessageContaining("spec.oauth.revocationUrl")
        .hasMessageContaining("must use https");
    oauth(d).put("revocationUrl", "https://user:pw@login.crm.test/revoke");
    assertThatThrownBy(() -> Documents.parse(d))
        .hasMessageContaining("spec.oauth.revocationUrl")
        .hasMessageContaining("must not contain a user or password");
  }

  @Test
  void methodAndSecretFieldMustAgree() throws Exception {
    ObjectNode d = doc();
    oauth(d).put("authMethod", "private_key_jwt");
    assertThatThrownBy(() -> Documents.parse(d))
        .hasMessageContaining("spec.oauth.clientSecretSecret")
        .hasMessageContaining("private_key_jwt takes privateKeySecret");

    oauth(d).remove("clientSecretSecret");
    assertThatThrownBy(() -> Documents.parse(d))
        .hasMessageContaining("spec.oauth.privateKeySecret")
        .hasMessageContaining("is required");

    oauth(d).put("privateKeySecret", "k").put("signingAlg", "HS256");
    assertThatThrownBy(() -> Documents.parse(d))
        .hasMessageContaining("spec.oauth.signingAlg")
        .hasMessageContaining("is not allowed");
  }

  @Test
  void scopesAreRfc6749TokensListedOnce() throws Exception {
    ObjectNode d = doc();
    oauth(d).set("scopes", JSON.readTree("[\"read write\"]"));
    assertThatThrownBy(() -> Documents.parse(d))
        .hasMessageContaining("not an RFC 6749 scope token");
    oauth(d).set("scopes", JSON.readTree("[\"a\", \"a\"]"));
    assertThatThrownBy(() -> Documents.parse(d)).hasMessageContaining("twice");
  }

  @Test
  void oauthGoesOnlyWithKindOauthClientAndIsRequiredThere() throws Exception {
    ObjectNode d = doc();
    ((ObjectNode) d.get("spec")).put("kind", "http");
    assertThatThrownBy(() -> Documents.parse(d))
        .hasMessageContaining("spec.oauth")
        .hasMessageContaining("only allowed for a resource of kind oauth-client");

    ((ObjectNode) d.get("spec")).put("kind", "oauth-client").remove("oauth");
    assertThatThrownBy(() -> Documents.parse(d))
        .hasMessageContaining("spec.oauth")
        .hasMessageContaining("is required");
  }
}
