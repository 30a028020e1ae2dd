package dev.warden.core.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.TrustProviderSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code nodeAttestation} field of a TrustProvider document: a strict boolean, off by default.
 */
class TrustProviderDocumentTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode doc(String nodeAttestation) throws Exception {
    return JSON.readTree(
        """
        {"kind": "TrustProvider", "metadata": {"name": "nodes"}, "spec": {"type": "kubernetes",
         "issuer": "https://k8s.example", "audiences": ["warden"], "algorithms": ["RS256"]%s}}"""
            .formatted(nodeAttestation == null ? "" : ", \"nodeAttestation\": " + nodeAttestation));
  }

  @Test
  void nodeAttestationIsOffUnlessSaid() throws Exception {
    TrustProviderSpec t = (TrustProviderSpec) Documents.parse(doc(null));
    assertThat(t.nodeAttestation()).isFalse();
    assertThat(Documents.toSpec(t).has("nodeAttestation")).as("rendered only when on").isFalse();
    assertThat(((TrustProviderSpec) Documents.parse(doc("null"))).nodeAttestation()).isFalse();
    assertThat(((TrustProviderSpec) Documents.parse(doc("false"))).nodeAttestation()).isFalse();
  }

  @Test
  void nodeAttestationTrueSurvivesARoundTrip() throws Exception {
    TrustProviderSpec t = (TrustProviderSpec) Documents.parse(doc("true"));
    assertThat(t.nodeAttestation()).isTrue();
    assertThat(Documents.parse(Documents.toDocument(t))).isEqualTo(t);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"true\"", "\"yes\"", "1", "0", "{}", "[true]", "\"\""})
  void nodeAttestationThatIsNotABooleanIsRefusedNamingTheField(String value) throws Exception {
    assertThatThrownBy(() -> Documents.parse(doc(value)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("true or false")
        .satisfies(
            e -> assertThat(((ValidationException) e).field()).isEqualTo("spec.nodeAttestation"));
  }
}
