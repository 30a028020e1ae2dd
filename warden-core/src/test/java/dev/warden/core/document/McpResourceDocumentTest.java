package dev.warden.core.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.McpUpstream;
import dev.warden.core.model.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code spec.mcp} of a resource behind the MCP gateway: strict parsing, round trips, no credential
 * value ever.
 */
class McpResourceDocumentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode doc(String mcp) throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
        {"kind": "Resource", "metadata": {"name": "tickets"}, "spec": {
          "audience": "https://warden.acme.test/mcp/tickets", "kind": "mcp", "mcp": %s}}"""
                .formatted(mcp));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"url\": \"https://tickets.internal/mcp\"}",
        "{\"url\": \"https://tickets.internal/mcp\", \"credential\": {\"secret\": \"tickets-key\"}}",
        "{\"url\": \"https://tickets.internal/mcp\", \"credential\": {\"secret\": \"k\", \"header\": \"X-Api-Key\"}}",
        "{\"url\": \"https://tickets.internal/mcp\", \"credential\": {\"secret\": \"k\", \"basic\": true}}",
        "{\"url\": \"https://tickets.internal/mcp\", \"credential\": {\"oauthClient\": \"tickets-oauth\"}}",
        "{\"url\": \"http://127.0.0.1:8080/mcp\"}",
        "{\"url\": \"http://tickets.lan/mcp\", \"plaintext\": true}"
      })
  void parsesAndRoundTrips(String mcp) throws Exception {
    Resource r = (Resource) Documents.parse(doc(mcp));

    assertThat(r.mcp()).isNotNull();
    assertThat(Documents.parse(Documents.toDocument(r))).isEqualTo(r);
  }

  @Test
  void aSecretWithoutPlacementGoesAsBearer() throws Exception {
    Resource r =
        (Resource)
            Documents.parse(
                doc("{\"url\": \"https://t.internal/mcp\", \"credential\": {\"secret\": \"k\"}}"));

    assertThat(r.mcp().credential().placement()).isEqualTo(McpUpstream.Placement.BEARER);
    assertThat(r.mcp().credential().describe()).isEqualTo("secret:k");
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{}|spec.mcp.url",
        "{\"url\": \"ftp://t.internal/mcp\"}|spec.mcp.url",
        "{\"url\": \"http://t.lan/mcp\"}|spec.mcp.url",
        "{\"url\": \"https://user:pw@t.internal/mcp\"}|spec.mcp.url",
        "{\"url\": \"https://t.internal/mcp\", \"extra\": 1}|spec.mcp.extra",
        "{\"url\": \"https://t.internal/mcp\", \"credential\": {}}|spec.mcp.credential",
        "{\"url\": \"https://t.internal/mcp\", \"credential\": {\"secret\": \"a\", \"oauthClient\": \"b\"}}|spec.mcp.credential",
        "{\"url\": \"https://t.internal/mcp\", \"credential\": {\"value\": \"hunter2\"}}|spec.mcp.credential.value",
        "{\"url\": \"https://t.internal/mcp\", \"credential\": {\"secret\": \"k\", \"header\": \"Bad Header\"}}|spec.mcp.credential.header",
        "{\"url\": \"https://t.internal/mcp\", \"credential\": {\"secret\": \"k\", \"header\": \"Mcp-Session-Id\"}}|spec.mcp.credential.header",
        "{\"url\": \"https://t.internal/mcp\", \"credential\": {\"secret\": \"k\", \"header\": \"X-K\", \"basic\": true}}|spec.mcp.credential",
        "{\"url\": \"https://t.internal/mcp\", \"credential\": {\"oauthClient\": \"o\", \"basic\": true}}|spec.mcp.credential",
        "{\"url\": \"https://t.internal/mcp\", \"plaintext\": \"yes\"}|spec.mcp.plaintext"
      })
  void aBrokenSpecIsRefusedNamingTheField(String mcp, String field) throws Exception {
    assertThatThrownBy(() -> Documents.parse(doc(mcp)))
        .isInstanceOfSatisfying(
            ValidationException.class, e -> assertThat(e.field()).isEqualTo(field))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
  }

  @Test
  void specMcpOnAnotherKindIsRefused() throws Exception {
    ObjectNode d = doc("{\"url\": \"https://t.internal/mcp\"}");
    ((ObjectNode) d.get("spec")).put("kind", "http");

    assertThatThrownBy(() -> Documents.parse(d))
        .isInstanceOfSatisfying(
            ValidationException.class, e -> assertThat(e.field()).isEqualTo("spec.mcp"));
  }

  @Test
  void theGatewaysAudienceMustBeAnHttpUrl() throws Exception {
    ObjectNode d = doc("{\"url\": \"https://t.internal/mcp\"}");
    ((ObjectNode) d.get("spec")).put("audience", "urn:tickets");

    assertThatThrownBy(() -> Documents.parse(d))
        .isInstanceOfSatisfying(
            ValidationException.class, e -> assertThat(e.field()).isEqualTo("audience"));
  }
}
