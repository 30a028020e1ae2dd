package dev.warden.core.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Client ID Metadata Documents: what is accepted, and each rule a document or client_id can break.
 */
class ClientMetadataTest {
  static final String URL = "https://app.example.com/oauth/client-metadata.json";

  static ClientMetadata parse(String json) {
    return ClientMetadata.parse(URL, json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parseWhenDocumentIsTheMcpSpecificationExampleThenAccepted() {
    ClientMetadata m =
        parse(
            """
        {
          "client_id": "https://app.example.com/oauth/client-metadata.json",
          "client_name": "Example MCP Client",
          "client_uri": "https://app.example.com",
          "logo_uri": "https://app.example.com/logo.png",
          "redirect_uris": ["http://127.0.0.1:3000/callback", "http://localhost:3000/callback"],
          "grant_types": ["authorization_code"],
          "response_types": ["code"],
          "token_endpoint_auth_method": "none"
        }""");

    assertThat(m.clientId()).isEqualTo(URL);
    assertThat(m.clientName()).isEqualTo("Example MCP Client");
    assertThat(m.allowsRedirect("http://127.0.0.1:3000/callback")).isTrue();
    assertThat(m.allowsRedirect("http://127.0.0.1:3000/callback/"))
        .as("compared exactly")
        .isFalse();
    assertThat(m.allowsRedirect("http://127.0.0.1:3001/callback")).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not JSON|{client_id|not valid JSON",
        "array|[1]|not a JSON object",
        "trailing content|{\"client_id\":\"x\"} {}|content after",
        "duplicate member|{\"client_id\":\"https://app.example.com/oauth/client-metadata.json\",\"client_id\":\"https://app.example.com/oauth/client-metadata.json\"}|not valid JSON",
        "no client_id|{\"client_name\":\"n\",\"redirect_uris\":[\"https://a.example/cb\"]}|no client_id",
        "other client_id|{\"client_id\":\"https://evil.example/c.json\",\"client_name\":\"n\",\"redirect_uris\":[\"https://a.example/cb\"]}|not the URL it was fetched from",
        "client_id differs in case|{\"client_id\":\"https://APP.example.com/oauth/client-metadata.json\",\"client_name\":\"n\",\"redirect_uris\":[\"https://a.example/cb\"]}|not the URL",
        "no client_name|{\"client_id\":\"%1$s\",\"redirect_uris\":[\"https://a.example/cb\"]}|client_name",
        "blank client_name|{\"client_id\":\"%1$s\",\"client_name\":\" \",\"redirect_uris\":[\"https://a.example/cb\"]}|client_name",
        "no redirect_uris|{\"client_id\":\"%1$s\",\"client_name\":\"n\"}|redirect_uris",
        "empty redirect_uris|{\"client_id\":\"%1$s\",\"client_name\":\"n\",\"redirect_uris\":[]}|redirect_uris",
        "redirect not a string|{\"client_id\":\"%1$s\",\"client_name\":\"n\",\"redirect_uris\":[7]}|must be a string",
        "http redirect off loopback|{\"client_id\":\"%1$s\",\"client_name\":\"n\",\"redirect_uris\":[\"http://app.example/cb\"]}|must use https",
        "javascript redirect|{\"client_id\":\"%1$s\",\"client_name\":\"n\",\"redirect_uris\":[\"javascript:alert(1)\"]}|must be absolute, with a host",
        "redirect with fragment|{\"client_id\":\"%1$s\",\"client_name\":\"n\",\"redirect_uris\":[\"https://a.example/cb#x\"]}|without fragment",
        "relative redirect|{\"client_id\":\"%1$s\",\"client_name\":\"n\",\"redirect_uris\":[\"/cb\"]}|must be absolute",
        "client secret|{\"client_id\":\"%1$s\",\"client_name\":\"n\",\"redirect_uris\":[\"https://a.example/cb\"],\"client_secret\":\"s\"}|must not contain client_secret",
        "secret auth method|{\"client_id\":\"%1$s\",\"client_name\":\"n\",\"redirect_uris\":[\"https://a.example/cb\"],\"token_endpoint_auth_method\":\"client_secret_basic\"}|token_endpoint_auth_method must be none",
        "private_key_jwt|{\"client_id\":\"%1$s\",\"client_name\":\"n\",\"redirect_uris\":[\"https://a.example/cb\"],\"token_endpoint_auth_method\":\"private_key_jwt\"}|token_endpoint_auth_method must be none",
        "grant types without code|{\"client_id\":\"%1$s\",\"client_name\":\"n\",\"redirect_uris\":[\"https://a.example/cb\"],\"grant_types\":[\"client_credentials\"]}|grant_types"
      })
  void parseWhenDocumentBreaksARuleThenInvalidClientMetadata(
      String name, String json, String message) {
    assertThatThrownBy(() -> parse(json.formatted(URL)))
        .isInstanceOf(DeniedException.class)
        .hasMessageContaining(message)
        .satisfies(
            e ->
                assertThat(((DeniedException) e).reason())
                    .isEqualTo(Reason.INVALID_CLIENT_METADATA));
  }

  @Test
  void parseWhenBytesAreNotUtf8ThenInvalid() {
    byte[] body = {'{', '"', 'a', (byte) 0xc0, (byte) 0xaf, '"', ':', '1', '}'};
    assertThatThrownBy(() -> ClientMetadata.parse(URL, body)).hasMessageContaining("UTF-8");
  }

  @Test
  void parseWhenTooManyRedirectUrisThenInvalid() {
    String uris = String.join(",", java.util.Collections.nCopies(33, "\"https://a.example/cb\""));
    assertThatThrownBy(
            () ->
                parse(
                    "{\"client_id\":\""
                        + URL
                        + "\",\"client_name\":\"n\",\"redirect_uris\":["
                        + uris
                        + "]}"))
        .hasMessageContaining("more than 32");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "my-client",
        "http://app.example.com/client.json",
        "https://app.example.com",
        "https://app.example.com/",
        "https://app.example.com/a/../client.json",
        "https://app.example.com/./c.json",
        "https://user:pw@app.example.com/c.json",
        "https://app.example.com/c.json#frag",
        "urn:example:client",
        "https:///c.json"
      })
  void checkClientIdWhenNotAnHttpsUrlWithAPathThenInvalid(String clientId) {
    assertThatThrownBy(() -> ClientMetadata.checkClientId(clientId))
        .isInstanceOf(DeniedException.class)
        .satisfies(
            e ->
                assertThat(((DeniedException) e).reason())
                    .isEqualTo(Reason.INVALID_CLIENT_METADATA));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {URL, "https://app.example.com:8443/c.json", "https://app.example.com/c?v=2"})
  void checkClientIdWhenHttpsUrlWithAPathThenAccepted(String clientId) {
    assertThat(ClientMetadata.checkClientId(clientId).toString()).isEqualTo(clientId);
  }
}
